import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Lifdag.Client

// Administrators: run_coordinator and run_launcher as the server has them (secrets shown as ***,
// kept when saved unchanged), the edit's diff as it is typed, save / revert / reset to
// dagster.yaml, and the audit log with each change's diff.
Item {
    id: view
    property ApiClient client
    property alias editor: editor
    property alias textArea: textArea
    function refresh() { editor.reload() }

    LauncherConfigEditor {
        id: editor
        client: view.client && view.client.isAdmin ? view.client : null
    }

    Label {
        anchors.centerIn: parent
        visible: !view.client || !view.client.isAdmin
        text: qsTr("The launcher configuration is for administrators (this token's role: %1)").arg(view.client ? view.client.role : "–")
        color: Desktop.muted
    }

    ColumnLayout {
        anchors.fill: parent
        visible: !!view.client && view.client.isAdmin
        spacing: 6

        RowLayout {
            Layout.fillWidth: true
            Label { text: qsTr("Run launcher settings"); font.pixelSize: 16; font.bold: true }
            Label { text: editor.sourcesText; color: Desktop.muted; Layout.fillWidth: true; elide: Text.ElideRight }
        }
        Label {
            text: editor.overrideExists ? qsTr("Override file: %1").arg(editor.overrideFile) : qsTr("No override: dagster.yaml applies")
            color: Desktop.muted
        }

        SplitView {
            Layout.fillWidth: true
            Layout.fillHeight: true
            orientation: Qt.Horizontal

            ScrollView {
                SplitView.preferredWidth: parent.width / 2
                TextArea {
                    id: textArea
                    objectName: "launcherEditor"
                    text: editor.editText
                    onTextChanged: editor.editText = text
                    font.family: Desktop.monospaceFamily
                    selectByMouse: true
                    wrapMode: TextEdit.NoWrap
                    background: Rectangle { color: Desktop.codeBackground; border.color: palette.mid }
                }
            }
            ColumnLayout {
                Label {
                    text: editor.dirty ? qsTr("Changes: +%1 −%2").arg(editor.diff.added).arg(editor.diff.removed) : qsTr("No changes")
                    color: Desktop.muted
                }
                ListView {
                    objectName: "launcherDiff"
                    Layout.fillWidth: true
                    Layout.fillHeight: true
                    clip: true
                    model: editor.diff
                    ScrollBar.vertical: ScrollBar {}
                    delegate: Rectangle {
                        required property string kind
                        required property string text
                        width: ListView.view.width
                        height: 18
                        color: kind === "+" ? Desktop.added : kind === "-" ? Desktop.removed : "transparent"
                        Text {
                            x: 4
                            text: kind + " " + parent.text
                            font.family: Desktop.monospaceFamily
                            font.pixelSize: 12
                            color: palette.text
                        }
                    }
                }
            }
        }

        Label {
            objectName: "launcherError"
            Layout.fillWidth: true
            visible: editor.error !== ""
            text: editor.errorLine > 0 ? qsTr("line %1: %2").arg(editor.errorLine).arg(editor.error) : editor.error
            color: Desktop.failure
            wrapMode: Text.Wrap
            MouseArea {
                anchors.fill: parent
                enabled: editor.errorOffset >= 0
                onClicked: { textArea.forceActiveFocus(); textArea.cursorPosition = editor.errorOffset }
            }
        }
        RowLayout {
            Layout.fillWidth: true
            Label {
                objectName: "launcherStatus"
                text: editor.status || (editor.dirty && editor.checkedValid ? qsTr("✓ the server accepts this change") : "")
                color: Desktop.success
                Layout.fillWidth: true
            }
            Button { text: qsTr("Revert"); enabled: editor.dirty; onClicked: editor.revert() }
            Button { text: qsTr("Reset to dagster.yaml"); enabled: editor.overrideExists && !editor.saving; onClicked: editor.resetToDagsterYaml() }
            Button {
                objectName: "launcherSave"
                text: qsTr("Save")
                highlighted: true
                enabled: editor.dirty && !editor.saving
                onClicked: editor.save()
            }
        }

        Label { text: qsTr("Audit log"); font.bold: true }
        ListView {
            id: auditList
            objectName: "auditList"
            Layout.fillWidth: true
            Layout.preferredHeight: 170
            clip: true
            model: editor.audit
            ScrollBar.vertical: ScrollBar {}
            delegate: Column {
                id: entry
                required property string timestamp
                required property string actor
                required property string action
                required property string summary
                required property var diff
                property bool open: false
                width: ListView.view.width
                ItemDelegate {
                    width: parent.width
                    text: (entry.open ? "▾ " : "▸ ") + entry.timestamp + "  " + entry.action + "  " + qsTr("by %1").arg(entry.actor) + "  " + entry.summary
                    onClicked: entry.open = !entry.open
                }
                Repeater {
                    model: entry.open ? entry.diff : []
                    delegate: Rectangle {
                        required property var modelData
                        width: entry.width
                        height: 16
                        visible: modelData.kind !== " "
                        color: modelData.kind === "+" ? Desktop.added : Desktop.removed
                        Text {
                            x: 24
                            text: modelData.kind + " " + modelData.text
                            font.family: Desktop.monospaceFamily
                            font.pixelSize: 11
                            color: palette.text
                        }
                    }
                }
            }
        }
    }
}
