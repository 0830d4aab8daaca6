import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Lifdag.Client

// lifdag-desktop's window: the server connection, runs with the selected run's detail, health and
// the launcher settings; shortcuts, an offline banner and notifications.
ApplicationWindow {
    id: window
    width: 1280
    height: 800
    visible: true
    title: connections.currentName ? qsTr("lifdag — %1").arg(connections.currentName) : qsTr("lifdag")

    // Set by the app (initial properties); these defaults serve tests and previews.
    property ConnectionManager connections: ConnectionManager {}
    property RunWatcher watcher: RunWatcher {}
    property string startUrl
    property string startToken
    property string startRunId
    property bool restoreState: true

    readonly property ApiClient client: connections.client
    property alias page: pages.currentIndex
    property alias runsView: runsView
    property alias detailView: detailView
    property alias healthView: healthView
    property alias launcherView: launcherView
    property alias launchDialog: launchDialog
    property alias connectionDialog: connectionDialog

    Binding { target: window.watcher; property: "client"; value: window.client }

    function showPage(index) { pages.currentIndex = index }
    function openRun(runId) {
        pages.currentIndex = 0
        detailView.runId = runId
        runsView.selectedRunId = runId
        runsView.list.currentIndex = runsView.model.indexOfRun(runId)
    }
    function openLaunch(jobName) { launchDialog.openFor(jobName || "") }
    function notify(text) {
        toast.text = text
        toastTimer.restart()
    }

    Component.onCompleted: {
        if (restoreState)
            Desktop.restoreWindow(window)
        if (startUrl)
            connections.connectToUrl(startUrl, startToken)
        else if (connections.lastServerId())
            connections.connectTo(connections.lastServerId())
        else
            connectionDialog.open()
        if (startRunId)
            openRun(startRunId)
    }
    onClosing: if (restoreState) Desktop.saveWindow(window)

    Connections {
        target: window.watcher
        function onRunFinished(runId, jobName, status, message) { window.notify(message) }
    }

    // ---- shortcuts ----
    Shortcut { sequences: [StandardKey.Refresh, "Ctrl+R"]; onActivated: { runsView.refresh(); detailView.refresh(); healthView.refresh(); launcherView.refresh() } }
    Shortcut {
        sequences: [StandardKey.Find]
        onActivated: {
            if (pages.currentIndex === 0 && detailView.runId && !runsView.list.activeFocus)
                detailView.focusFind()
            else if (pages.currentIndex === 0)
                runsView.focusFind()
        }
    }
    Shortcut { sequence: "Ctrl+Shift+C"; onActivated: detailView.copyRunId() }
    Shortcut { sequence: "Ctrl+L"; enabled: window.client.canLaunch; onActivated: window.openLaunch() }
    Shortcut { sequence: "Ctrl+1"; onActivated: window.showPage(0) }
    Shortcut { sequence: "Ctrl+2"; onActivated: window.showPage(1) }
    Shortcut { sequence: "Ctrl+3"; onActivated: window.showPage(2) }

    header: ToolBar {
        RowLayout {
            anchors.fill: parent
            spacing: 6
            ToolButton {
                objectName: "serverButton"
                text: "● " + (connections.currentName || qsTr("Connect…"))
                palette.buttonText: client.state === ApiClient.Online ? Desktop.success
                                  : client.state === ApiClient.Offline || client.state === ApiClient.AuthFailed ? Desktop.failure
                                  : Desktop.muted
                onClicked: connectionDialog.open()
                ToolTip.visible: hovered
                ToolTip.text: client.baseUrl + (client.role ? qsTr(" — role %1").arg(client.role) : "")
                              + (client.serverVersion ? qsTr(", lifdag %1").arg(client.serverVersion) : "")
            }
            TabBar {
                id: nav
                currentIndex: pages.currentIndex
                onCurrentIndexChanged: pages.currentIndex = currentIndex
                TabButton { text: qsTr("Runs"); width: implicitWidth }
                TabButton { text: qsTr("Health"); width: implicitWidth }
                TabButton { text: qsTr("Launcher settings"); width: implicitWidth; enabled: client.isAdmin }
            }
            Item { Layout.fillWidth: true }
            ToolButton { text: qsTr("Launch…"); enabled: client.canLaunch; onClicked: window.openLaunch(); ToolTip.visible: hovered; ToolTip.text: "Ctrl+L" }
            ToolButton {
                text: qsTr("Refresh")
                onClicked: { runsView.refresh(); detailView.refresh(); healthView.refresh() }
                ToolTip.visible: hovered
                ToolTip.text: "F5"
            }
            ComboBox {
                objectName: "themeMode"
                model: [qsTr("System theme"), qsTr("Light"), qsTr("Dark")]
                currentIndex: ["system", "light", "dark"].indexOf(Desktop.themeMode)
                onActivated: (i) => Desktop.themeMode = ["system", "light", "dark"][i]
            }
        }
    }

    ColumnLayout {
        anchors.fill: parent
        spacing: 0

        // Offline / refused banner.
        Rectangle {
            objectName: "banner"
            Layout.fillWidth: true
            Layout.preferredHeight: visible ? 36 : 0
            visible: client.state === ApiClient.Offline || client.state === ApiClient.AuthFailed
            color: Qt.alpha(Desktop.failure, 0.18)
            RowLayout {
                anchors.fill: parent
                anchors.leftMargin: 10
                anchors.rightMargin: 10
                Label {
                    objectName: "bannerText"
                    Layout.fillWidth: true
                    elide: Text.ElideRight
                    text: client.state === ApiClient.AuthFailed
                          ? qsTr("The server refused the token: %1").arg(client.errorString)
                          : qsTr("Offline — %1. Reconnecting%2 (attempt %3); live views resume where they stopped.")
                                .arg(client.errorString)
                                .arg(client.secondsUntilReconnect > 0 ? qsTr(" in %1 s").arg(client.secondsUntilReconnect) : "…")
                                .arg(client.reconnectAttempt)
                }
                Button {
                    text: client.state === ApiClient.AuthFailed ? qsTr("Edit connection") : qsTr("Retry now")
                    onClicked: client.state === ApiClient.AuthFailed ? connectionDialog.open() : client.reconnectNow()
                }
            }
        }

        StackLayout {
            id: pages
            Layout.fillWidth: true
            Layout.fillHeight: true
            Layout.margins: 8

            SplitView {
                orientation: Qt.Horizontal
                RunsView {
                    id: runsView
                    client: window.client
                    watcher: window.watcher
                    SplitView.preferredWidth: Desktop.setting("layout/runsWidth", 430)
                    SplitView.minimumWidth: 280
                    onWidthChanged: if (width > 0) Desktop.setSetting("layout/runsWidth", width)
                    onRunActivated: (runId) => detailView.runId = runId
                }
                RunDetailView {
                    id: detailView
                    client: window.client
                    watcher: window.watcher
                    SplitView.fillWidth: true
                    onMessage: (text) => window.notify(text)
                    onOpenRun: (runId) => window.openRun(runId)
                }
            }
            HealthView { id: healthView; client: window.client }
            LauncherConfigView { id: launcherView; client: window.client }
        }
    }

    // Notifications inside the window (the tray shows them too when there is one).
    Rectangle {
        id: toastBox
        anchors.horizontalCenter: parent.horizontalCenter
        anchors.bottom: parent.bottom
        anchors.bottomMargin: 20
        width: toast.implicitWidth + 24
        height: toast.implicitHeight + 14
        radius: 6
        color: palette.toolTipBase
        border.color: palette.mid
        visible: toastTimer.running
        Label { id: toast; objectName: "toast"; anchors.centerIn: parent; color: palette.toolTipText }
        Timer { id: toastTimer; interval: 5000 }
    }

    LaunchDialog {
        id: launchDialog
        client: window.client
        onLaunched: (runId) => {
            window.openRun(runId)
            window.watcher.watch(runId)
            window.notify(qsTr("Run %1 launched").arg(runId.substring(0, 8)))
        }
    }
    ConnectionDialog {
        id: connectionDialog
        connections: window.connections
        onOpened: edit(connections.indexOfServer(connections.currentServerId))
    }
}
