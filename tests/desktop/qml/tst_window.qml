import QtQuick
import QtTest
import Lifdag.Client
import Lifdag.Views

// The whole window: connecting from the command line, shortcuts (pages, copy run id, find),
// and the offline banner while the server is away, gone again after it is back.
Item {
    id: root

    ConnectionManager {
        id: windowConnections
        configDir: testServer.newConfigDir()
    }
    Component {
        id: mainComponent
        Main { connections: windowConnections; startUrl: testServer.url; restoreState: false; width: 1200; height: 760 }
    }

    TestCase {
        name: "DesktopWindow"
        when: windowShown

        function test_shortcutsAndOfflineBanner() {
            compare(testServer.error, "")
            const window = createTemporaryObject(mainComponent, root)
            verify(window)
            waitForRendering(window.contentItem)
            tryCompare(windowConnections.client, "online", true, 20000)
            window.requestActivate()
            tryCompare(window, "active", true)

            keySequence("Ctrl+2")
            compare(window.page, 1)
            keySequence("Ctrl+1")
            compare(window.page, 0)

            window.openRun(testServer.fanoutRun)
            tryCompare(window.detailView.detail, "status", "SUCCESS", 10000)
            keySequence("Ctrl+Shift+C")
            compare(Desktop.clipboardText(), testServer.fanoutRun)

            window.detailView.eventLog.searchField.focus = false
            keySequence(StandardKey.Find)
            verify(window.detailView.eventLog.searchField.activeFocus || window.runsView.activeFocus)

            // A watched run that ends shows a notice in the window (and in the tray, when there is one).
            window.watcher.watch(testServer.failedRun, "fanout_job")
            const toast = findChild(window.contentItem, "toast")
            tryVerify(() => toast.text.indexOf("FAILURE") >= 0, 10000)
            verify(toast.text.indexOf(testServer.failedRun.substring(0, 8)) >= 0)

            const banner = findChild(window.contentItem, "banner")
            verify(!banner.visible)
            testServer.stopServer()
            tryCompare(banner, "visible", true, 10000)
            verify(findChild(window.contentItem, "bannerText").text.indexOf("Offline") === 0)
            verify(testServer.startServer())
            tryCompare(banner, "visible", false, 30000)
            compare(windowConnections.client.state, ApiClient.Online)
        }

        function test_windowStateIsKept() {
            const first = createTemporaryObject(mainComponent, root)
            first.width = 1010
            first.height = 701
            Desktop.saveWindow(first, "statetest")
            const second = createTemporaryObject(mainComponent, root)
            Desktop.restoreWindow(second, "statetest")
            compare(second.width, 1010)
            compare(second.height, 701)
            compare(Desktop.setting("window/statetest/state"), "normal")
        }
    }
}
