import QtQuick
import QtQuick.Controls

// A text field for finding: Enter finds forward, Shift+Enter backward, Escape clears.
TextField {
    id: field
    signal findNext()
    signal findPrevious()
    placeholderText: qsTr("Find (Ctrl+F)")
    selectByMouse: true
    Keys.onReturnPressed: (event) => {
        if (event.modifiers & Qt.ShiftModifier)
            findPrevious()
        else
            findNext()
    }
    Keys.onEscapePressed: text = ""
}
