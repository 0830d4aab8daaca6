import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Lifdag.Client

// A run's event log: a virtualised list (rows are plain Text items, reused while scrolling) over an
// EventsModel, with find, tail-following and the selected event's payload.
Item {
    id: log
    property EventsModel events
    property alias list: list
    property alias searchField: search
    property alias filter: filter
    property bool tail: true // keep the newest event in view while the run writes
    // The selected event's row in the EventsModel (list rows are filtered rows while a filter is on).
    readonly property int selected: sourceRow(list.currentIndex)

    function sourceRow(row) { return row < 0 ? -1 : filter.active ? filter.sourceRow(row) : row }
    function viewRow(row) { return row < 0 ? -1 : filter.active ? filter.rowForSource(row) : row }
    function clearFilters() {
        errorsBox.checked = false
        stepBox.currentIndex = 0
    }

    function focusFind() {
        search.forceActiveFocus()
        search.selectAll()
    }
    function find(backwards) {
        if (!events)
            return
        const from = list.currentIndex < 0 ? (backwards ? 0 : -1) : list.currentIndex
        const shown = filter.findNext(search.text, from, !backwards)
        found.text = shown < 0 && search.text ? qsTr("not found") : ""
        if (shown >= 0) {
            tail = false
            list.currentIndex = shown
            list.positionViewAtIndex(shown, ListView.Center)
        }
    }
    // Only this step's events (a click on its bar in the timeline).
    function showStep(stepKey) {
        const i = stepBox.model.indexOf(stepKey)
        stepBox.currentIndex = i < 0 ? 0 : i
        tail = false
        list.currentIndex = list.count > 0 ? 0 : -1
        list.positionViewAtBeginning()
    }

    EventFilterModel {
        id: filter
        events: log.events
        errorsOnly: errorsBox.checked
        stepKey: stepBox.currentIndex > 0 ? stepBox.currentText : ""
    }

    Connections {
        target: log.events
        function onLiveEventsArrived() {
            if (log.tail)
                list.positionViewAtEnd()
        }
        function onCountChanged() {
            if (log.tail && !log.events.live)
                Qt.callLater(list.positionViewAtEnd)
        }
    }

    ColumnLayout {
        anchors.fill: parent
        spacing: 4

        RowLayout {
            Layout.fillWidth: true
            SearchField {
                id: search
                objectName: "eventSearch"
                Layout.fillWidth: true
                onFindNext: log.find(false)
                onFindPrevious: log.find(true)
            }
            Label { id: found; color: Desktop.failure }
            ComboBox {
                id: stepBox
                objectName: "stepFilter"
                Layout.preferredWidth: 170
                model: [qsTr("All steps")].concat(log.events ? log.events.stepKeys : [])
            }
            CheckBox { id: errorsBox; objectName: "errorsOnly"; text: qsTr("Errors only") }
            Button { text: "▲"; Layout.preferredWidth: 34; onClicked: log.find(true); ToolTip.text: qsTr("Previous (Shift+Enter)"); ToolTip.visible: hovered }
            Button { text: "▼"; Layout.preferredWidth: 34; onClicked: log.find(false); ToolTip.text: qsTr("Next (Enter)"); ToolTip.visible: hovered }
            CheckBox {
                text: qsTr("Follow")
                checked: log.tail
                onToggled: {
                    log.tail = checked
                    if (checked)
                        list.positionViewAtEnd()
                }
            }
            Label {
                objectName: "eventCount"
                text: log.events ? (filter.active ? qsTr("%1 of ").arg(filter.count.toLocaleString(Qt.locale(), "f", 0)) : "")
                                   + qsTr("%1 events").arg(log.events.count.toLocaleString(Qt.locale(), "f", 0))
                                   + (log.events.loading ? qsTr(" (loading…)") : log.events.live ? qsTr(" · live") : "")
                                 : ""
                color: Desktop.muted
            }
        }

        Rectangle {
            Layout.fillWidth: true
            Layout.fillHeight: true
            color: palette.base
            border.color: palette.mid

            ListView {
                id: list
                objectName: "eventList"
                anchors.fill: parent
                anchors.margins: 1
                clip: true
                model: filter.active ? filter : log.events
                currentIndex: -1
                reuseItems: true
                cacheBuffer: 200
                boundsBehavior: Flickable.StopAtBounds
                highlightMoveDuration: 0
                highlightFollowsCurrentItem: true
                highlight: Rectangle { color: Qt.alpha(palette.highlight, 0.3) }
                ScrollBar.vertical: ScrollBar { id: vbar; policy: ScrollBar.AlwaysOn }
                onMovementStarted: log.tail = false

                delegate: Item {
                    id: eventRow
                    required property int index
                    required property string timeText
                    required property string level
                    required property string eventType
                    required property string stepKey
                    required property string message
                    required property bool isError
                    width: ListView.view.width - vbar.width
                    height: 20

                    Text {
                        id: timeCol
                        x: 6
                        width: 90
                        anchors.verticalCenter: parent.verticalCenter
                        text: timeText
                        font.family: Desktop.monospaceFamily
                        font.pixelSize: 12
                        color: Desktop.muted
                    }
                    Text {
                        id: typeCol
                        x: timeCol.x + timeCol.width + 6
                        width: 150
                        anchors.verticalCenter: parent.verticalCenter
                        text: eventType
                        elide: Text.ElideRight
                        font.pixelSize: 12
                        color: isError ? Desktop.failure : eventType.endsWith("SUCCESS") ? Desktop.success : palette.text
                    }
                    Text {
                        id: stepCol
                        x: typeCol.x + typeCol.width + 6
                        width: 140
                        anchors.verticalCenter: parent.verticalCenter
                        text: stepKey
                        elide: Text.ElideMiddle
                        font.pixelSize: 12
                        color: Desktop.running
                    }
                    Text {
                        x: stepCol.x + stepCol.width + 6
                        width: parent.width - x - 6
                        anchors.verticalCenter: parent.verticalCenter
                        text: message
                        elide: Text.ElideRight
                        maximumLineCount: 1
                        textFormat: Text.PlainText
                        font.pixelSize: 12
                        color: isError ? Desktop.failure : palette.text
                    }
                    MouseArea {
                        anchors.fill: parent
                        onClicked: {
                            list.currentIndex = index
                            log.tail = false
                        }
                        onDoubleClicked: Desktop.copyText(log.events.rowText(log.sourceRow(index)))
                    }
                }

                Label {
                    anchors.centerIn: parent
                    visible: list.count === 0
                    text: log.events && log.events.error ? log.events.error
                        : log.events && log.events.loading ? qsTr("Loading events…") : qsTr("No events")
                    color: Desktop.muted
                }
            }
        }

        // The selected event in full.
        Rectangle {
            Layout.fillWidth: true
            Layout.preferredHeight: detail.visible ? Math.min(180, detailText.implicitHeight + 16) : 0
            visible: log.selected >= 0
            color: Desktop.codeBackground
            border.color: palette.mid
            Flickable {
                id: detail
                anchors.fill: parent
                anchors.margins: 6
                clip: true
                contentHeight: detailText.implicitHeight
                ScrollBar.vertical: ScrollBar {}
                TextEdit {
                    id: detailText
                    width: detail.width
                    readOnly: true
                    selectByMouse: true
                    wrapMode: TextEdit.Wrap
                    textFormat: TextEdit.PlainText
                    font.family: Desktop.monospaceFamily
                    font.pixelSize: 12
                    color: palette.text
                    text: {
                        if (!log.events || log.selected < 0)
                            return ""
                        const payload = log.events.payloadText(log.selected)
                        return log.events.rowText(log.selected) + (payload ? "\n" + payload : "")
                    }
                }
            }
        }
    }
}
