import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Lifdag.Client

// A JSON document (a JsonTreeModel) as an expandable tree with search and copy.
Item {
    id: viewer
    property JsonTreeModel model
    property string emptyText: qsTr("No document")
    property alias currentIndex: list.currentIndex
    property alias searchField: search

    function find(backwards) {
        if (!model)
            return
        const row = model.find(search.text, list.currentIndex)
        if (row >= 0) {
            list.currentIndex = row
            list.positionViewAtIndex(row, ListView.Contain)
        }
    }

    ColumnLayout {
        anchors.fill: parent
        spacing: 4

        RowLayout {
            Layout.fillWidth: true
            SearchField {
                id: search
                objectName: "jsonSearch"
                Layout.fillWidth: true
                onFindNext: viewer.find(false)
                onFindPrevious: viewer.find(true)
            }
            Button { text: qsTr("Expand all"); onClicked: viewer.model.expandAll() }
            Button { text: qsTr("Collapse"); onClicked: viewer.model.collapseAll() }
            Button {
                text: qsTr("Copy value")
                enabled: list.currentIndex >= 0
                onClicked: Desktop.copyText(viewer.model.valueText(list.currentIndex))
            }
            Button {
                text: qsTr("Copy path")
                enabled: list.currentIndex >= 0
                onClicked: Desktop.copyText(viewer.model.path(list.currentIndex))
            }
        }

        Rectangle {
            Layout.fillWidth: true
            Layout.fillHeight: true
            color: Desktop.codeBackground
            border.color: palette.mid

            Label {
                anchors.centerIn: parent
                visible: !viewer.model || viewer.model.empty
                text: viewer.model && viewer.model.error ? viewer.model.error : viewer.emptyText
                color: Desktop.muted
            }

            ListView {
                id: list
                objectName: "jsonList"
                anchors.fill: parent
                anchors.margins: 1
                clip: true
                model: viewer.model
                currentIndex: -1
                reuseItems: true
                boundsBehavior: Flickable.StopAtBounds
                ScrollBar.vertical: ScrollBar {}
                highlightMoveDuration: 0
                highlight: Rectangle { color: Qt.alpha(palette.highlight, 0.25) }

                delegate: Item {
                    required property int index
                    required property string key
                    required property string valueText
                    required property string type
                    required property int depth
                    required property bool expandable
                    required property bool expanded
                    width: ListView.view.width
                    height: 22

                    Row {
                        x: 6 + depth * 16
                        anchors.verticalCenter: parent.verticalCenter
                        spacing: 6
                        Text {
                            width: 12
                            text: expandable ? (expanded ? "▾" : "▸") : ""
                            color: palette.text
                            font.family: Desktop.monospaceFamily
                        }
                        Text {
                            text: key + ":"
                            color: palette.text
                            font.family: Desktop.monospaceFamily
                            font.bold: true
                        }
                        Text {
                            text: valueText
                            elide: Text.ElideRight
                            width: Math.max(50, viewer.width - x - depth * 16 - 60)
                            textFormat: Text.PlainText
                            font.family: Desktop.monospaceFamily
                            color: type === "string" ? Desktop.success
                                 : type === "number" ? Desktop.running
                                 : type === "bool" || type === "null" ? Desktop.queued : Desktop.muted
                        }
                    }
                    MouseArea {
                        anchors.fill: parent
                        onClicked: (mouse) => {
                            list.currentIndex = index
                            if (expandable && mouse.x < 24 + depth * 16) // the arrow toggles
                                viewer.model.toggle(index)
                        }
                        onDoubleClicked: if (expandable) viewer.model.toggle(index)
                    }
                }
                Keys.onSpacePressed: if (currentIndex >= 0) viewer.model.toggle(currentIndex)
            }
        }
    }
}
