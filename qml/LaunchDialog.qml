import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Lifdag.Client

// Launch a job: its run config as JSON (pre-filled with the job's skeleton), tags, and the code
// location's validation errors listed with their paths - a click puts the cursor there.
Dialog {
    id: dialog
    property ApiClient client
    property alias form: form
    property alias jobs: jobs
    property alias editor: editor
    property alias violationList: violationList
    signal launched(string runId)

    title: qsTr("Launch a run")
    modal: true
    width: Math.min(parent ? parent.width - 80 : 900, 900)
    height: Math.min(parent ? parent.height - 80 : 680, 680)
    anchors.centerIn: parent
    standardButtons: Dialog.Cancel

    function openFor(jobName) {
        open()
        jobs.reload()
        if (jobName) {
            const row = jobs.indexOfJob(jobName)
            if (row >= 0)
                jobBox.currentIndex = row
        }
    }
    function showViolation(row) {
        const v = form.violations.get(row)
        editor.forceActiveFocus()
        editor.select(v.offset, v.offset + Math.max(1, v.length))
    }

    JobsModel {
        id: jobs
        client: dialog.client
    }
    LaunchForm {
        id: form
        client: dialog.client
        onLaunched: (runId) => {
            dialog.launched(runId)
            dialog.close()
        }
    }

    ColumnLayout {
        anchors.fill: parent
        spacing: 6

        RowLayout {
            Layout.fillWidth: true
            Label { text: qsTr("Job") }
            ComboBox {
                id: jobBox
                objectName: "launchJob"
                Layout.fillWidth: true
                model: jobs
                textRole: "name"
                displayText: currentIndex >= 0 ? jobs.get(currentIndex).locationName + " / " + currentText : qsTr("Choose a job")
                onCurrentIndexChanged: {
                    if (currentIndex < 0)
                        return
                    const j = jobs.get(currentIndex)
                    form.jobName = j.name
                    form.locationName = j.locationName
                    form.loadJob()
                }
            }
        }
        Label {
            Layout.fillWidth: true
            text: form.jobDescription
            visible: text !== ""
            wrapMode: Text.Wrap
            color: Desktop.muted
        }
        Label { text: qsTr("Run config (JSON)") }
        ScrollView {
            Layout.fillWidth: true
            Layout.fillHeight: true
            TextArea {
                id: editor
                objectName: "configEditor"
                text: form.configText
                onTextChanged: form.configText = text
                font.family: Desktop.monospaceFamily
                selectByMouse: true
                persistentSelection: true
                wrapMode: TextEdit.NoWrap
                background: Rectangle { color: Desktop.codeBackground; border.color: palette.mid }
            }
        }
        RowLayout {
            Layout.fillWidth: true
            Label { text: qsTr("Tags") }
            TextField {
                objectName: "launchTags"
                Layout.fillWidth: true
                placeholderText: qsTr("key=value, key=value")
                text: form.tagsText
                onTextChanged: form.tagsText = text
            }
        }
        Label {
            objectName: "launchError"
            Layout.fillWidth: true
            visible: form.error !== ""
            text: form.error
            color: Desktop.failure
            wrapMode: Text.Wrap
        }
        ListView {
            id: violationList
            objectName: "violations"
            Layout.fillWidth: true
            Layout.preferredHeight: Math.min(count * 40, 160)
            clip: true
            model: form.violations
            delegate: ItemDelegate {
                required property int index
                required property string path
                required property string message
                required property int line
                required property int column
                width: ListView.view.width
                contentItem: Column {
                    Label {
                        text: qsTr("%1  (line %2, column %3)").arg(path).arg(line).arg(column)
                        font.family: Desktop.monospaceFamily
                        font.bold: true
                        color: Desktop.failure
                    }
                    Label { width: parent.width; text: message; elide: Text.ElideRight; font.pixelSize: 11 }
                }
                onClicked: dialog.showViolation(index)
            }
        }
        RowLayout {
            Layout.fillWidth: true
            Button {
                text: qsTr("Reset to the job's defaults")
                enabled: form.jobName !== ""
                onClicked: form.loadJob()
            }
            Label {
                objectName: "checkState"
                text: form.checking ? qsTr("checking…") : form.checkedValid ? qsTr("✓ valid for %1").arg(form.jobName) : ""
                color: form.checkedValid ? Desktop.success : Desktop.muted
            }
            Item { Layout.fillWidth: true }
            BusyIndicator { running: form.busy; Layout.preferredHeight: 28 }
            Button {
                objectName: "launchButton"
                text: qsTr("Launch")
                highlighted: true
                enabled: !form.busy && form.jobName !== "" && !!dialog.client && dialog.client.canLaunch
                onClicked: form.launch()
            }
        }
    }
}
