import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Lifdag.Client

// The daemon loops' heartbeats and the code locations, refreshed every few seconds while shown.
Item {
    id: view
    property ApiClient client
    property alias daemons: daemons
    property alias locations: locations
    property alias instance: instance
    function refresh() { daemons.reload(); locations.reload(); instance.reload() }

    InstanceModel { id: instance; client: view.client }
    DaemonsModel { id: daemons; client: view.client; refreshInterval: view.visible ? 5000 : 0 }
    LocationsModel {
        id: locations
        client: view.client
        refreshInterval: view.visible ? 10000 : 0
        onLocationReloaded: (name, message) => status.text = message
    }

    ColumnLayout {
        anchors.fill: parent
        spacing: 8

        RowLayout {
            Label { text: qsTr("Daemon"); font.pixelSize: 16; font.bold: true }
            StatusChip {
                status: daemons.count > 0 && daemons.healthy ? "SUCCESS" : "FAILURE"
                label: daemons.count === 0 ? qsTr("NO HEARTBEATS") : daemons.healthy ? qsTr("HEALTHY") : qsTr("UNHEALTHY")
            }
            Item { Layout.fillWidth: true }
            Label { id: status; color: Desktop.muted }
        }
        Label { visible: daemons.error !== ""; text: daemons.error; color: Desktop.failure }
        ListView {
            id: daemonList
            objectName: "daemonList"
            Layout.fillWidth: true
            Layout.preferredHeight: Math.max(60, count * 38)
            model: daemons
            interactive: false
            delegate: RowLayout {
                required property string daemonType
                required property string daemonId
                required property string lastHeartbeat
                required property int ageSeconds
                required property bool healthy
                required property string errors
                width: ListView.view.width
                height: 36
                Rectangle { width: 10; height: 10; radius: 5; color: healthy ? Desktop.success : Desktop.failure }
                Label { text: daemonType; font.bold: true; Layout.preferredWidth: 220 }
                Label { text: daemonId; color: Desktop.muted; Layout.preferredWidth: 120 }
                Label { text: qsTr("last heartbeat %1 (%2 s ago)").arg(lastHeartbeat).arg(ageSeconds) }
                Label { text: errors; color: Desktop.failure; elide: Text.ElideRight; Layout.fillWidth: true }
            }
        }

        Label { text: qsTr("Code locations"); font.pixelSize: 16; font.bold: true }
        Label { visible: locations.error !== ""; text: locations.error; color: Desktop.failure }
        ListView {
            objectName: "locationList"
            Layout.fillWidth: true
            Layout.preferredHeight: Math.max(60, count * 56)
            interactive: false
            model: locations
            clip: true
            delegate: Item {
                required property string name
                required property string address
                required property string status
                required property string error
                required property string version
                required property int runningWorkers
                required property string startedAt
                width: ListView.view.width
                height: 56
                RowLayout {
                    anchors.fill: parent
                    Rectangle { width: 10; height: 10; radius: 5; color: status === "ok" ? Desktop.success : Desktop.failure }
                    Column {
                        Layout.fillWidth: true
                        Label { text: name + "  —  " + address; font.bold: true }
                        Label {
                            width: parent.width
                            text: status === "ok" ? qsTr("version %1 · %2 running worker(s) · up since %3").arg(version).arg(runningWorkers).arg(startedAt)
                                                  : error
                            color: status === "ok" ? Desktop.muted : Desktop.failure
                            elide: Text.ElideRight
                        }
                    }
                    Button {
                        text: qsTr("Reload")
                        visible: !!view.client && view.client.isAdmin
                        onClicked: locations.reloadLocation(name)
                    }
                }
            }
        }

        Label { text: qsTr("Instance"); font.pixelSize: 16; font.bold: true }
        Label { visible: instance.error !== ""; text: instance.error; color: Desktop.failure }
        GridLayout {
            objectName: "instanceGrid"
            columns: 2
            columnSpacing: 16
            Repeater {
                model: instance
                delegate: Label {
                    required property int index
                    required property string name
                    required property string value
                    Layout.row: index
                    Layout.column: 0
                    text: name
                    color: Desktop.muted
                }
            }
            Repeater {
                model: instance
                delegate: Label {
                    required property int index
                    required property string value
                    Layout.row: index
                    Layout.column: 1
                    Layout.fillWidth: true
                    text: value
                    elide: Text.ElideMiddle
                }
            }
        }
        Item { Layout.fillHeight: true }
    }
}
