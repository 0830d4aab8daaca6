import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Lifdag.Client

// A run's steps on a time axis: one bar per step from its start to its end (to now while it
// runs), coloured by status; the axis is drawn with a Canvas, bars are plain rectangles in a
// virtualised list.
Item {
    id: timeline
    property StepsModel steps
    property bool live: false
    property real now: Date.now()
    readonly property real spanStart: steps ? steps.startMs : 0
    readonly property real spanEnd: steps ? Math.max(steps.endMs, live ? now : 0, spanStart + 1) : 1
    readonly property int labelWidth: 180
    signal stepClicked(string stepKey)

    Timer {
        interval: 500
        running: timeline.live && timeline.visible
        repeat: true
        onTriggered: timeline.now = Date.now()
    }

    function xFor(ms, width) {
        return Math.max(0, (ms - spanStart) / (spanEnd - spanStart) * width)
    }

    ColumnLayout {
        anchors.fill: parent
        spacing: 2

        RowLayout {
            Layout.fillWidth: true
            Label {
                text: steps ? qsTr("%n step(s)", "", steps.count)
                              + (steps.runningCount > 0 ? qsTr(", %1 running").arg(steps.runningCount) : "")
                              + (steps.failedCount > 0 ? qsTr(", %1 failed").arg(steps.failedCount) : "")
                            : ""
                color: Desktop.muted
            }
            Item { Layout.fillWidth: true }
            Label {
                text: steps && steps.count > 0 ? qsTr("span %1 s").arg(((timeline.spanEnd - timeline.spanStart) / 1000).toFixed(1)) : ""
                color: Desktop.muted
            }
        }

        // The time axis.
        Canvas {
            id: axis
            objectName: "timelineAxis"
            Layout.fillWidth: true
            Layout.preferredHeight: 22
            property real span: timeline.spanEnd - timeline.spanStart
            onSpanChanged: requestPaint()
            onWidthChanged: requestPaint()
            Connections {
                target: Desktop
                function onThemeChanged() { axis.requestPaint() }
            }
            onPaint: {
                const ctx = getContext("2d")
                ctx.reset()
                const left = timeline.labelWidth
                const w = width - left - 8
                if (w <= 0 || span <= 0)
                    return
                ctx.strokeStyle = Desktop.muted
                ctx.fillStyle = Desktop.muted
                ctx.font = "10px sans-serif"
                ctx.beginPath()
                ctx.moveTo(left, height - 1)
                ctx.lineTo(left + w, height - 1)
                ctx.stroke()
                // About eight ticks at a round step.
                const raw = span / 8
                const mag = Math.pow(10, Math.floor(Math.log10(raw)))
                const step = [1, 2, 5, 10].map(f => f * mag).find(s => s >= raw)
                for (let t = 0; t <= span; t += step) {
                    const x = left + t / span * w
                    ctx.beginPath()
                    ctx.moveTo(x, height - 6)
                    ctx.lineTo(x, height - 1)
                    ctx.stroke()
                    const label = step >= 1000 ? (t / 1000).toFixed(step >= 10000 ? 0 : 1) + " s" : t.toFixed(step >= 1 ? 0 : 2) + " ms"
                    ctx.fillText(label, x + 2, height - 8)
                }
            }
        }

        ListView {
            id: rows
            objectName: "timelineRows"
            Layout.fillWidth: true
            Layout.fillHeight: true
            clip: true
            model: timeline.steps
            reuseItems: true
            boundsBehavior: Flickable.StopAtBounds
            ScrollBar.vertical: ScrollBar {}

            delegate: Item {
                id: row
                required property int index
                required property string stepKey
                required property string status
                required property real startMs
                required property real endMs
                required property int attempts
                required property string durationText
                required property string error
                width: ListView.view.width
                height: 24

                Rectangle {
                    anchors.fill: parent
                    color: index % 2 ? palette.alternateBase : "transparent"
                }
                Label {
                    width: timeline.labelWidth - 8
                    x: 4
                    anchors.verticalCenter: parent.verticalCenter
                    text: stepKey
                    elide: Text.ElideMiddle
                }
                Item {
                    id: track
                    x: timeline.labelWidth
                    width: row.width - timeline.labelWidth - 8
                    height: parent.height

                    Rectangle {
                        id: bar
                        objectName: "stepBar"
                        readonly property real endAt: endMs > 0 ? endMs : timeline.now
                        x: timeline.xFor(startMs, track.width)
                        width: Math.max(3, timeline.xFor(endAt, track.width) - x)
                        anchors.verticalCenter: parent.verticalCenter
                        height: 14
                        radius: 3
                        color: Desktop.statusColor(status)
                        opacity: endMs > 0 ? 0.9 : 0.6
                    }
                    Label {
                        // after the bar, or before it when the bar ends at the right edge
                        x: bar.x + bar.width + 4 + width <= track.width ? bar.x + bar.width + 4 : Math.max(0, bar.x - width - 4)
                        anchors.verticalCenter: parent.verticalCenter
                        text: durationText + (attempts > 1 ? qsTr(" (%1 attempts)").arg(attempts) : "")
                        font.pixelSize: 11
                        color: Desktop.muted
                    }
                }
                MouseArea {
                    id: hover
                    anchors.fill: parent
                    hoverEnabled: true
                    onClicked: timeline.stepClicked(stepKey)
                }
                ToolTip.visible: hover.containsMouse
                ToolTip.delay: 400
                ToolTip.text: stepKey + " — " + status + (error ? "\n" + error : "")
            }

            Label {
                anchors.centerIn: parent
                visible: rows.count === 0
                text: qsTr("No steps yet")
                color: Desktop.muted
            }
        }
    }
}
