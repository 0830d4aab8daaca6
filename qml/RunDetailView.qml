import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Lifdag.Client

// One run: its status (live), actions, step timeline, event log, results and run config.
Item {
    id: view
    property ApiClient client
    property RunWatcher watcher
    property alias runId: detail.runId
    property alias detail: detail
    property alias tabs: tabs
    property alias eventLog: eventLog
    property alias timeline: timeline
    property alias resultViewer: resultViewer
    signal message(string text)
    signal openRun(string runId)

    function refresh() { detail.reload() }
    function focusFind() {
        if (tabs.currentIndex === 2)
            resultViewer.searchField.forceActiveFocus()
        else {
            tabs.currentIndex = 1
            eventLog.focusFind()
        }
    }
    function copyRunId() {
        if (detail.runId) {
            Desktop.copyText(detail.runId)
            message(qsTr("Run id %1 copied").arg(detail.runId))
        }
    }

    RunDetail {
        id: detail
        client: view.client
        onActionFinished: (action, ok, text, newRunId) => {
            view.message(text)
            if (ok && newRunId)
                view.openRun(newRunId)
        }
    }

    Label {
        anchors.centerIn: parent
        visible: !detail.runId
        text: qsTr("Select a run")
        color: Desktop.muted
    }

    ColumnLayout {
        anchors.fill: parent
        visible: !!detail.runId
        spacing: 6

        RowLayout {
            Layout.fillWidth: true
            spacing: 10
            Label {
                objectName: "runTitle"
                text: detail.run.jobName || ""
                font.pixelSize: 18
                font.bold: true
            }
            StatusChip { status: detail.status; visible: detail.status !== "" }
            Label {
                Layout.fillWidth: true
                text: detail.runId
                elide: Text.ElideRight
                font.family: Desktop.monospaceFamily
                color: Desktop.muted
                MouseArea { anchors.fill: parent; onClicked: view.copyRunId(); cursorShape: Qt.PointingHandCursor }
                ToolTip.visible: idHover.hovered
                ToolTip.text: qsTr("Copy run id (Ctrl+Shift+C)")
                HoverHandler { id: idHover }
            }
        }
        // Times on the left, actions on the right; the times give way when the pane is narrow.
        RowLayout {
            Layout.fillWidth: true
            spacing: 6
            Label {
                Layout.fillWidth: true
                text: [qsTr("created %1").arg(detail.run.createdText || "–"),
                       detail.run.startedText ? qsTr("started %1").arg(detail.run.startedText) : "",
                       detail.run.endedText ? qsTr("ended %1").arg(detail.run.endedText) : "",
                       detail.run.durationText ? qsTr("took %1").arg(detail.run.durationText) : "",
                       detail.run.locationName ? qsTr("location %1").arg(detail.run.locationName) : ""]
                      .filter(s => s).join("  ·  ")
                color: Desktop.muted
                elide: Text.ElideRight
            }
            Button {
                text: view.watcher && view.watcher.watched.indexOf(detail.runId) >= 0 ? qsTr("Watching ★") : qsTr("Watch ☆")
                visible: detail.isLive && !!view.watcher
                onClicked: view.watcher.toggle(detail.runId, detail.run.jobName)
            }
            Button {
                text: qsTr("Terminate")
                visible: detail.isLive
                enabled: !!view.client && view.client.canLaunch
                onClicked: detail.terminate()
            }
            Button {
                text: qsTr("Re-execute")
                visible: !detail.isLive && detail.status !== ""
                enabled: !!view.client && view.client.canLaunch
                onClicked: detail.reexecute()
            }
            Button {
                text: qsTr("From failure")
                visible: detail.status === "FAILURE"
                enabled: !!view.client && view.client.canLaunch
                onClicked: detail.reexecute("FROM_FAILURE")
                ToolTip.visible: hovered
                ToolTip.text: qsTr("Re-execute the failed and skipped steps only")
            }
            Button {
                text: qsTr("Delete")
                visible: !detail.isLive && detail.status !== ""
                enabled: !!view.client && view.client.isAdmin
                onClicked: confirmDelete.open()
            }
        }
        Label {
            Layout.fillWidth: true
            visible: detail.error !== ""
            text: detail.error
            color: Desktop.failure
            wrapMode: Text.Wrap
        }

        TabBar {
            id: tabs
            Layout.fillWidth: true
            TabButton { text: qsTr("Timeline") }
            TabButton { text: qsTr("Events (%1)").arg(detail.events.count) }
            TabButton { text: qsTr("Results") }
            TabButton { text: qsTr("Run config") }
            onCurrentIndexChanged: if (currentIndex === 2 && !detail.resultLoaded) detail.loadResult()
        }
        StackLayout {
            Layout.fillWidth: true
            Layout.fillHeight: true
            currentIndex: tabs.currentIndex

            StepTimeline {
                id: timeline
                steps: detail.steps
                live: detail.isLive
                onStepClicked: (stepKey) => {
                    tabs.currentIndex = 1
                    eventLog.showStep(stepKey)
                }
            }
            EventLog {
                id: eventLog
                events: detail.events
            }
            JsonViewer {
                id: resultViewer
                model: detail.result
                emptyText: detail.resultLoaded ? qsTr("This run has no results") : qsTr("Loading results…")
            }
            ScrollView {
                TextArea {
                    readOnly: true
                    selectByMouse: true
                    text: detail.runConfigText
                    font.family: Desktop.monospaceFamily
                    background: Rectangle { color: Desktop.codeBackground }
                }
            }
        }
    }

    Dialog {
        id: confirmDelete
        anchors.centerIn: parent
        modal: true
        title: qsTr("Delete run %1?").arg(detail.runId.substring(0, 8))
        standardButtons: Dialog.Ok | Dialog.Cancel
        Label { text: qsTr("The run and all its events are removed from storage.") }
        onAccepted: detail.deleteRun()
    }
}
