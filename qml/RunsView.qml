import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Lifdag.Client

// Runs of the server, newest first, with status / job / tag filters; statuses move live.
Item {
    id: view
    property ApiClient client
    property RunWatcher watcher
    property alias model: runs
    property alias list: list
    property string selectedRunId
    signal runActivated(string runId)

    function refresh() { runs.reload(); jobs.reload() }
    function focusFind() { tagField.forceActiveFocus(); tagField.selectAll() }
    function select(row) {
        if (row < 0)
            return
        const id = runs.get(row).runId
        const changed = id !== selectedRunId
        selectedRunId = id
        list.currentIndex = row
        if (changed)
            runActivated(id)
    }

    readonly property var allStatuses: ["QUEUED", "STARTING", "STARTED", "SUCCESS", "FAILURE", "CANCELING", "CANCELED"]

    RunsModel {
        id: runs
        client: view.client
        statuses: {
            const s = []
            for (let i = 0; i < statusRepeater.count; ++i) {
                const b = statusRepeater.itemAt(i)
                if (b && b.checked)
                    s.push(b.text)
            }
            return s
        }
        jobName: jobBox.currentIndex > 0 ? jobBox.currentText : ""
        tags: tagField.text.split(/[\s,]+/).filter(t => t.indexOf("=") > 0)
    }
    JobsModel { id: jobs; client: view.client }

    ColumnLayout {
        anchors.fill: parent
        spacing: 4

        Flow {
            Layout.fillWidth: true
            spacing: 4
            Repeater {
                id: statusRepeater
                model: view.allStatuses
                delegate: Button {
                    required property string modelData
                    objectName: "status_" + modelData
                    // The text is the status (the filter reads it); the count is beside it.
                    text: modelData
                    readonly property int runCount: runs.statusCounts[modelData] || 0
                    contentItem: Label {
                        text: parent.text + (parent.runCount > 0 ? "  " + parent.runCount : "")
                        font: parent.font
                        color: Desktop.statusColor(parent.text)
                        horizontalAlignment: Text.AlignHCenter
                    }
                    checkable: true
                    font.pixelSize: 11
                    padding: 4
                    palette.buttonText: Desktop.statusColor(modelData)
                }
            }
        }
        RowLayout {
            Layout.fillWidth: true
            ComboBox {
                id: jobBox
                objectName: "jobFilter"
                Layout.preferredWidth: 170
                model: [qsTr("All jobs")].concat(jobs.names)
            }
            TextField {
                id: tagField
                objectName: "tagFilter"
                Layout.fillWidth: true
                placeholderText: qsTr("Tags: key=value … (Ctrl+F)")
                selectByMouse: true
            }
        }
        Label {
            Layout.fillWidth: true
            visible: runs.error !== ""
            text: runs.error
            color: Desktop.failure
            wrapMode: Text.Wrap
        }

        ListView {
            id: list
            objectName: "runList"
            Layout.fillWidth: true
            Layout.fillHeight: true
            clip: true
            model: runs
            currentIndex: -1
            reuseItems: true
            boundsBehavior: Flickable.StopAtBounds
            highlightFollowsCurrentItem: false
            ScrollBar.vertical: ScrollBar {}
            keyNavigationEnabled: true
            onCurrentIndexChanged: if (activeFocus && currentIndex >= 0) view.select(currentIndex)

            delegate: Item {
                id: runRow
                required property int index
                required property string runId
                required property string shortId
                required property string jobName
                required property string status
                required property string createdText
                required property string durationText
                required property string tagsText
                width: ListView.view.width
                height: 44

                Rectangle {
                    // selection follows the run, not the row number (rows move as runs arrive)
                    anchors.fill: parent
                    color: runId === view.selectedRunId ? Qt.alpha(palette.highlight, 0.25) : "transparent"
                }
                Rectangle {
                    anchors.left: parent.left
                    anchors.right: parent.right
                    anchors.bottom: parent.bottom
                    height: 1
                    color: palette.midlight
                }
                StatusChip {
                    id: chip
                    x: 6
                    anchors.verticalCenter: parent.verticalCenter
                    status: runRow.status
                    width: 86
                }
                Column {
                    anchors.left: chip.right
                    anchors.leftMargin: 8
                    anchors.right: star.left
                    anchors.verticalCenter: parent.verticalCenter
                    spacing: 2
                    Row {
                        spacing: 8
                        Label { text: jobName; font.bold: true }
                        Label { text: shortId; font.family: Desktop.monospaceFamily; color: Desktop.muted }
                    }
                    Label {
                        width: parent.width
                        text: createdText + (durationText ? "  ·  " + durationText : "") + (tagsText ? "  ·  " + tagsText : "")
                        elide: Text.ElideRight
                        font.pixelSize: 11
                        color: Desktop.muted
                    }
                }
                MouseArea {
                    anchors.fill: parent
                    onClicked: { list.forceActiveFocus(); view.select(index) }
                }
                ToolButton {
                    id: star
                    anchors.right: parent.right
                    anchors.verticalCenter: parent.verticalCenter
                    text: view.watcher && view.watcher.watched.indexOf(runId) >= 0 ? "★" : "☆"
                    enabled: !!view.watcher && (status !== "SUCCESS" && status !== "FAILURE" && status !== "CANCELED")
                    onClicked: view.watcher.toggle(runId, jobName)
                    ToolTip.visible: hovered
                    ToolTip.text: qsTr("Notify me when this run ends")
                }
            }

            footer: Item {
                width: list.width
                height: runs.hasMore || runs.loading ? 36 : 0
                BusyIndicator { anchors.centerIn: parent; running: runs.loading; height: 28 }
            }

            Label {
                anchors.centerIn: parent
                visible: list.count === 0 && !runs.loading
                text: view.client && view.client.online ? qsTr("No runs match") : qsTr("Not connected")
                color: Desktop.muted
            }
        }
        Label {
            text: qsTr("%n run(s) shown", "", runs.count) + (runs.hasMore ? qsTr(" — scroll for more") : "")
            color: Desktop.muted
            font.pixelSize: 11
        }
    }
}
