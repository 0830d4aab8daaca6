import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Lifdag.Client

// Saved servers: name and address in the settings, the token in a file only you can read.
Dialog {
    id: dialog
    property ConnectionManager connections
    property string editingId
    title: qsTr("Servers")
    modal: true
    width: Math.min(parent ? parent.width - 80 : 720, 720)
    height: Math.min(parent ? parent.height - 80 : 520, 520)
    anchors.centerIn: parent
    standardButtons: Dialog.Close

    function edit(row) {
        const s = row >= 0 ? connections.servers.get(row) : { serverId: "", name: "", url: "http://localhost:3000", hasToken: false }
        editingId = s.serverId
        nameField.text = s.name
        urlField.text = s.url
        tokenField.text = ""
        tokenField.placeholderText = s.hasToken ? qsTr("(stored — leave empty to keep)") : qsTr("API token (optional)")
    }

    RowLayout {
        anchors.fill: parent
        spacing: 12

        ColumnLayout {
            Layout.preferredWidth: 250
            Layout.fillHeight: true
            ListView {
                id: serverList
                objectName: "serverList"
                Layout.fillWidth: true
                Layout.fillHeight: true
                clip: true
                model: dialog.connections ? dialog.connections.servers : null
                currentIndex: -1
                highlight: Rectangle { color: Qt.alpha(palette.highlight, 0.25) }
                delegate: ItemDelegate {
                    required property int index
                    required property string serverId
                    required property string name
                    required property string url
                    required property bool hasToken
                    width: ListView.view.width
                    contentItem: Column {
                        Label { text: name + (dialog.connections.currentServerId === serverId ? qsTr("  (connected)") : ""); font.bold: true }
                        Label { text: url + (hasToken ? qsTr("  · token") : ""); font.pixelSize: 11; color: Desktop.muted }
                    }
                    onClicked: { serverList.currentIndex = index; dialog.edit(index) }
                    onDoubleClicked: { dialog.connections.connectTo(serverId); dialog.close() }
                }
            }
            Button { text: qsTr("New server"); onClicked: { serverList.currentIndex = -1; dialog.edit(-1) } }
        }

        ColumnLayout {
            Layout.fillWidth: true
            Layout.fillHeight: true
            GridLayout {
                columns: 2
                Layout.fillWidth: true
                Label { text: qsTr("Name") }
                TextField { id: nameField; objectName: "serverName"; Layout.fillWidth: true; placeholderText: qsTr("Production") }
                Label { text: qsTr("Address") }
                TextField { id: urlField; objectName: "serverUrl"; Layout.fillWidth: true; placeholderText: "http://localhost:3000"; text: "http://localhost:3000" }
                Label { text: qsTr("Token") }
                TextField {
                    id: tokenField
                    objectName: "serverToken"
                    Layout.fillWidth: true
                    echoMode: TextInput.Password
                    placeholderText: qsTr("API token (optional)")
                }
            }
            Label {
                Layout.fillWidth: true
                text: dialog.connections ? qsTr("Tokens are kept in %1, never in the settings.").arg(dialog.connections.tokenStorage) : ""
                wrapMode: Text.Wrap
                font.pixelSize: 11
                color: Desktop.muted
            }
            Label {
                Layout.fillWidth: true
                visible: dialog.connections && dialog.connections.error !== ""
                text: dialog.connections ? dialog.connections.error : ""
                color: Desktop.failure
                wrapMode: Text.Wrap
            }
            Item { Layout.fillHeight: true }
            RowLayout {
                Button {
                    text: qsTr("Remove")
                    enabled: dialog.editingId !== ""
                    onClicked: { dialog.connections.removeServer(dialog.editingId); dialog.edit(-1) }
                }
                Button {
                    text: qsTr("Forget token")
                    enabled: dialog.editingId !== ""
                    onClicked: dialog.connections.saveServer(dialog.editingId, nameField.text, urlField.text, "", false)
                }
                Item { Layout.fillWidth: true }
                Button {
                    text: qsTr("Save")
                    onClicked: {
                        const id = dialog.connections.saveServer(dialog.editingId, nameField.text, urlField.text, tokenField.text, true)
                        if (id) {
                            dialog.editingId = id
                            tokenField.text = ""
                        }
                    }
                }
                Button {
                    objectName: "connectButton"
                    text: qsTr("Save and connect")
                    highlighted: true
                    onClicked: {
                        const id = dialog.connections.saveServer(dialog.editingId, nameField.text, urlField.text, tokenField.text, true)
                        if (id) {
                            dialog.connections.connectTo(id)
                            dialog.close()
                        }
                    }
                }
            }
        }
    }
}
