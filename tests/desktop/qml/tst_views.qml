import QtQuick
import QtTest
import Lifdag.Client
import Lifdag.Views

// The desktop's views with their models attached to the test's lifdag dev (testServer).
Item {
    id: root
    width: 1200
    height: 800

    ConnectionManager {
        id: connections
        configDir: testServer.newConfigDir()
    }
    readonly property ApiClient client: connections.client

    Component { id: runsViewComponent; RunsView { width: 420; height: 700 } }
    Component { id: detailComponent; RunDetailView { width: 1000; height: 700 } }
    Component { id: launchComponent; LaunchDialog { parent: root } }
    Component { id: healthComponent; HealthView { width: 1000; height: 600 } }
    Component { id: launcherComponent; LauncherConfigView { width: 1100; height: 700 } }
    Component { id: watcherComponent; RunWatcher {} }
    Component { id: spyComponent; SignalSpy {} }

    TestCase {
        name: "DesktopViews"
        when: windowShown

        function initTestCase() {
            compare(testServer.error, "", "the setup's lifdag dev and seed runs")
            const id = connections.saveServer("", "Test dev", testServer.url, "")
            verify(id !== "", connections.error)
            connections.connectTo(id)
            tryCompare(root.client, "online", true, 20000)
        }

        function test_connectionManagerKeepsServers() {
            compare(connections.servers.count, 1)
            compare(connections.servers.get(0).name, "Test dev")
            compare(connections.servers.get(0).hasToken, false)
            verify(connections.tokenStorage.indexOf("desktop-tokens.json") >= 0)
            compare(connections.currentName, "Test dev")
            compare(client.role, "admin")
        }

        function test_runsViewListsAndFiltersRuns() {
            const view = createTemporaryObject(runsViewComponent, root, { client: root.client })
            tryVerify(() => view.model.count >= 4, 10000)
            tryVerify(() => view.model.statusCounts["FAILURE"] >= 1, 10000)
            const list = findChild(view, "runList")
            verify(list.count >= 4)
            // The FAILURE button filters on the server.
            mouseClick(findChild(view, "status_FAILURE"))
            compare(view.model.statuses, ["FAILURE"])
            // (other tests may have added failures: as many rows as the server counts, all failed)
            tryVerify(() => !view.model.loading && view.model.count >= 1
                            && view.model.count === view.model.statusCounts["FAILURE"], 10000)
            for (let i = 0; i < view.model.count; ++i)
                compare(view.model.get(i).status, "FAILURE")
            verify(view.model.indexOfRun(testServer.failedRun) >= 0)
            verify(view.model.indexOfRun(testServer.fanoutRun) < 0)
            mouseClick(findChild(view, "status_FAILURE"))
            tryVerify(() => !view.model.loading && view.model.count >= 4, 10000)
            // Tag filter from the text field.
            const tags = findChild(view, "tagFilter")
            tags.text = "team=desktop"
            tryVerify(() => !view.model.loading && view.model.count >= 3 && view.model.indexOfRun(testServer.resultRun) < 0, 10000)
            for (let i = 0; i < view.model.count; ++i)
                compare(view.model.get(i).tags["team"], "desktop")
            tags.text = ""
            tryVerify(() => !view.model.loading && view.model.count >= 4, 10000)
            // Clicking a row selects the run.
            const spy = createTemporaryObject(spyComponent, root, { target: view, signalName: "runActivated" })
            tryVerify(() => list.itemAtIndex(0) !== null, 5000)
            mouseClick(list.itemAtIndex(0))
            compare(spy.count, 1)
            compare(view.selectedRunId, view.model.get(0).runId)
        }

        function test_runDetailDrawsTheStepTimelineAndEventLog() {
            const view = createTemporaryObject(detailComponent, root, { client: root.client, runId: testServer.fanoutRun })
            tryCompare(view.detail, "status", "SUCCESS", 10000)
            tryCompare(view.detail.steps, "count", 8, 10000) // fan_out, 6 work items, gather
            const rows = findChild(view.timeline, "timelineRows")
            compare(rows.count, 8)
            tryVerify(() => rows.itemAtIndex(1) !== null && rows.itemAtIndex(1).width > 0, 5000)
            // Clicking a step shows its events only.
            view.timeline.stepClicked("gather")
            compare(view.tabs.currentIndex, 1)
            const list = findChild(view.eventLog, "eventList")
            const filter = view.eventLog.filter
            verify(filter.active)
            tryVerify(() => list.count === filter.count && filter.count > 0 && filter.count < view.detail.events.count)
            for (let i = 0; i < filter.count; ++i)
                compare(view.detail.events.get(filter.sourceRow(i)).stepKey, "gather")
            compare(view.eventLog.selected, filter.sourceRow(0))
            // Find within the filtered rows: "Gathered" is a gather event, "fan_out" is not.
            compare(view.detail.events.get(filter.sourceRow(filter.findNext("Gathered", -1))).stepKey, "gather")
            compare(filter.findNext("fan_out", -1), -1)
            // Errors only, in the failed run there are some; here none.
            findChild(view.eventLog, "errorsOnly").checked = true
            compare(filter.count, 0)
            view.eventLog.clearFilters()
            verify(!filter.active)
            tryCompare(list, "count", view.detail.events.count)
            // Find from the search field, forward with Enter.
            const search = findChild(view.eventLog, "eventSearch")
            search.forceActiveFocus()
            search.text = "RUN_SUCCESS"
            keyClick(Qt.Key_Return)
            compare(view.detail.events.get(view.eventLog.selected).eventType, "RUN_SUCCESS")
            verify(findChild(view.eventLog, "eventCount").text.indexOf("live") >= 0)
        }

        function test_eventLogIsVirtualisedAndFollowsTheTail() {
            const runId = testServer.runWithEvents(20000)
            verify(runId !== "")
            const view = createTemporaryObject(detailComponent, root, { client: root.client, runId: runId })
            view.tabs.currentIndex = 1
            tryVerify(() => view.detail.events.count === 20000 && view.detail.events.live, 20000)
            const list = findChild(view.eventLog, "eventList")
            compare(list.count, 20000)
            // Only the rows in sight (and a small cache) exist as items.
            waitForRendering(list)
            verify(list.contentItem.children.length < 120, "delegates: " + list.contentItem.children.length)
            // Following the tail: new events appear at the end and stay in view.
            verify(view.eventLog.tail)
            compare(testServer.appendEvents(runId, 3), 3)
            tryCompare(list, "count", 20003, 10000)
            tryVerify(() => list.indexAt(10, list.contentY + list.height - 5) >= 19990, 5000)
            compare(view.detail.events.get(20002).message, "late event 2")
        }

        function test_failedRunShowsTheFailedStep() {
            const view = createTemporaryObject(detailComponent, root, { client: root.client, runId: testServer.failedRun })
            tryCompare(view.detail, "status", "FAILURE", 10000)
            tryVerify(() => view.detail.steps.failedCount === 1, 10000)
            const failed = view.detail.steps.get(view.detail.steps.indexOfStep("work[item_2]"))
            compare(failed.status, "FAILURE")
            verify(failed.error.length > 0)
            // The log's "errors only" finds the failure events.
            view.tabs.currentIndex = 1
            const filter = view.eventLog.filter
            findChild(view.eventLog, "errorsOnly").checked = true
            tryVerify(() => filter.count >= 2, 5000) // STEP_FAILURE and RUN_FAILURE at least
            for (let i = 0; i < filter.count; ++i)
                verify(view.detail.events.get(filter.sourceRow(i)).isError)
            // Re-executed from the failure: a new run, its parent this one.
            const spy = createTemporaryObject(spyComponent, root, { target: view.detail, signalName: "actionFinished" })
            view.detail.reexecute("FROM_FAILURE")
            tryCompare(spy, "count", 1, 10000)
            compare(spy.signalArguments[0][0], "reexecute")
            verify(spy.signalArguments[0][1], spy.signalArguments[0][2])
            verify(spy.signalArguments[0][3].length > 30)
        }

        function test_resultsViewerShowsAndSearchesTheDocument() {
            const view = createTemporaryObject(detailComponent, root, { client: root.client, runId: testServer.resultRun })
            tryCompare(view.detail, "status", "SUCCESS", 10000)
            view.tabs.currentIndex = 2
            tryCompare(view.detail, "resultLoaded", true, 10000)
            verify(view.detail.result.nodeCount > 20)
            const search = view.resultViewer.searchField
            search.forceActiveFocus()
            search.text = "Lovelace"
            keyClick(Qt.Key_Return)
            verify(view.resultViewer.currentIndex > 0)
            compare(view.detail.result.path(view.resultViewer.currentIndex), "$.person[0].name[0].lastName")
            compare(view.detail.result.valueText(view.resultViewer.currentIndex), "\"Lovelace\"")
        }

        function test_launchDialogPutsViolationsAtTheirPaths() {
            const dialog = createTemporaryObject(launchComponent, root, { client: root.client })
            dialog.openFor("fanout_job")
            tryVerify(() => dialog.jobs.count > 0, 10000)
            dialog.openFor("fanout_job")
            tryVerify(() => dialog.form.configText.indexOf("fan_out") >= 0, 10000)
            dialog.editor.text = '{"ops": {"fan_out": {"config": {\n  "count": "many"\n}}}}'
            compare(dialog.form.configText, dialog.editor.text)
            // Checked while typing: the violation shows before anything is launched.
            tryVerify(() => dialog.form.violations.count === 1 && !dialog.form.checking, 10000)
            verify(!dialog.form.checkedValid)
            mouseClick(findChild(dialog.contentItem, "launchButton"))
            tryVerify(() => !dialog.form.busy && dialog.form.violations.count === 1, 10000)
            const v = dialog.form.violations.get(0)
            compare(v.path, "ops.fan_out.config.count")
            compare(v.line, 2)
            // A click on the violation selects its place in the editor.
            dialog.showViolation(0)
            compare(dialog.editor.selectedText, "\"count\"")

            const spy = createTemporaryObject(spyComponent, root, { target: dialog, signalName: "launched" })
            dialog.editor.text = '{"ops": {"fan_out": {"config": {"count": 2}}}}'
            mouseClick(findChild(dialog.contentItem, "launchButton"))
            tryCompare(spy, "count", 1, 10000)
            verify(spy.signalArguments[0][0].length > 30)
        }

        function test_healthViewShowsDaemonsAndLocations() {
            const view = createTemporaryObject(healthComponent, root, { client: root.client })
            tryVerify(() => view.daemons.count > 0, 10000)
            tryCompare(view.locations, "count", 1, 10000)
            compare(view.locations.get(0).name, "dev_location")
            compare(view.locations.get(0).status, "ok")
            compare(findChild(view, "daemonList").count, view.daemons.count)
            tryCompare(view.instance, "count", 10, 10000)
            compare(view.instance.get(1).name, "Storage")
            verify(view.instance.get(1).value.indexOf("SQLite") === 0)
            compare(view.instance.get(2).name, "Run coordinator")
            verify(view.instance.get(2).value.indexOf("QueuedRunCoordinator, dequeue_interval_seconds: 5, max_concurrent_runs:") === 0)
        }

        function test_launcherSettingsShowDiffAndAudit() {
            const view = createTemporaryObject(launcherComponent, root, { client: root.client })
            tryVerify(() => view.editor.serverText.indexOf("QueuedRunCoordinator") >= 0, 10000)
            tryVerify(() => view.editor.audit.count >= 1, 10000)
            compare(findChild(view, "auditList").count, view.editor.audit.count)
            verify(!view.editor.dirty)
            view.textArea.text = view.editor.serverText.replace('"max_concurrent_runs": 4', '"max_concurrent_runs": 6')
            verify(view.editor.dirty)
            compare(view.editor.diff.added, 1)
            compare(view.editor.diff.removed, 1)
            verify(findChild(view, "launcherDiff").count > 2)
            mouseClick(findChild(view, "launcherSave"))
            tryVerify(() => !view.editor.dirty && view.editor.status.indexOf("saved") === 0, 10000)
            tryVerify(() => view.editor.audit.count >= 2, 10000)
            // A key dagster.yaml does not know: refused, nothing saved.
            view.textArea.text = view.editor.serverText.replace('"max_concurrent_runs"', '"max_concurrent_runz"')
            mouseClick(findChild(view, "launcherSave"))
            tryVerify(() => view.editor.error !== "", 10000)
            verify(findChild(view, "launcherError").visible)
            verify(view.editor.dirty)
        }

        function test_watcherNotifiesWhenARunEnds() {
            const watcher = createTemporaryObject(watcherComponent, root, { client: root.client })
            const spy = createTemporaryObject(spyComponent, root, { target: watcher, signalName: "runFinished" })
            watcher.watch(testServer.diamondRun, "diamond_job")
            tryCompare(spy, "count", 1, 10000) // it ended before: reported at once
            compare(spy.signalArguments[0][2], "SUCCESS")
            compare(watcher.watched.length, 0)
        }

        function test_themeFollowsTheChosenMode() {
            Desktop.themeMode = "dark"
            verify(Desktop.dark)
            verify(Desktop.statusColor("SUCCESS") !== Qt.rgba(0, 0, 0, 0))
            Desktop.themeMode = "light"
            verify(!Desktop.dark)
            Desktop.themeMode = "system"
            compare(Desktop.themeMode, "system")
        }
    }
}
