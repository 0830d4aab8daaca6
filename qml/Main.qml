import QtQuick
import QtQuick.Controls

ApplicationWindow {
    id: window
    width: 1100
    height: 720
    visible: true
    title: qsTr("lifdag")

    Label {
        anchors.centerIn: parent
        text: qsTr("lifdag desktop - run viewer")
        font.pixelSize: 20
    }
}
