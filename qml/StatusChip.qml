import QtQuick
import QtQuick.Controls
import Lifdag.Client

// A run or step status as a small coloured label.
Rectangle {
    id: chip
    property string status
    property string label // shown instead of the status when set
    implicitWidth: label.implicitWidth + 12
    implicitHeight: label.implicitHeight + 4
    radius: height / 2
    color: Qt.alpha(Desktop.statusColor(status), Desktop.dark ? 0.28 : 0.15)
    border.color: Desktop.statusColor(status)
    border.width: 1

    Label {
        id: label
        anchors.centerIn: parent
        text: chip.label || chip.status
        font.pixelSize: 11
        font.bold: true
        color: Desktop.statusColor(chip.status)
    }
}
