// desktop_bench: lifdag-desktop with a 100k-event run open. Seeds a run with 100k events through
// storage in a `lifdag dev` instance, then measures in a child process that loads the desktop's
// own Main.qml (offscreen, software renderer): RSS connected, RSS with the run's whole event log
// loaded (and the time that took), and frame times while the event log scrolls (steady scrolling
// and random jumps): through the render loop (achieved fps; the offscreen platform paces updates
// like a 60 Hz screen) and rendered one by one (the whole cost of a frame, polish included). Finally the real
// lifdag-desktop opened on the same run: its RSS once steady.
//   build/bench/desktop_bench [--events 100000] [--frames 600]
#include "../tests/client/devserver.h"
#include "benchutil.h"

#include <lifdag/client/connectionmanager.h>
#include <lifdag/client/desktop.h>
#include <lifdag/client/eventsmodel.h>
#include <lifdag/client/rundetail.h>
#include <lifdag/client/runwatcher.h>

#include <QCommandLineParser>
#include <QElapsedTimer>
#include <QFile>
#include <QGuiApplication>
#include <QJsonObject>
#include <QQmlApplicationEngine>
#include <QQuickItem>
#include <QQuickStyle>
#include <QQuickWindow>
#include <QRandomGenerator>
#include <QTest>
#include <QtQml/QQmlExtensionPlugin>

Q_IMPORT_QML_PLUGIN(Lifdag_ViewsPlugin)
Q_IMPORT_QML_PLUGIN(Lifdag_ClientPlugin)

using namespace lifdag;
using namespace lifdag::bench;
using namespace Qt::StringLiterals;

namespace {

// VmRSS or VmHWM of a process, in MB.
double statusMb(qint64 pid, const char *field)
{
    QFile f(pid > 0 ? u"/proc/%1/status"_s.arg(pid) : u"/proc/self/status"_s);
    if (!f.open(QIODevice::ReadOnly))
        return -1;
    for (const QByteArray &line : f.readAll().split('\n')) {
        if (line.startsWith(field))
            return double(line.mid(qstrlen(field)).trimmed().split(' ').first().toLongLong()) / 1024.0;
    }
    return -1;
}

constexpr int kWarmUp = 30;

// Scrolls the event list `frames` times (a step per rendered frame) and reports frame times.
void scroll(QQuickWindow *window, QQuickItem *list, const char *what, int frames, bool jumps)
{
    QElapsedTimer clock;
    QList<double> work; // sync + render of one frame
    QList<double> intervals; // swap to swap
    qint64 syncStart = 0;
    qint64 lastSwap = -1;
    int swapped = 0;
    auto *rng = QRandomGenerator::global();
    const double maxY = list->property("contentHeight").toDouble() - list->height();
    double y = list->property("contentY").toDouble();
    const QMetaObject::Connection a = QObject::connect(
        window, &QQuickWindow::beforeSynchronizing, window, [&] { syncStart = clock.nsecsElapsed(); },
        Qt::DirectConnection);
    const QMetaObject::Connection b = QObject::connect(
        window, &QQuickWindow::frameSwapped, window,
        [&] {
            const qint64 now = clock.nsecsElapsed();
            if (swapped >= kWarmUp) { // the first frames create the delegates
                work.append(double(now - syncStart) / 1e6);
                if (lastSwap >= 0)
                    intervals.append(double(now - lastSwap) / 1e6);
            }
            lastSwap = now;
            ++swapped;
            // Next position: a steady flick (40 px a frame) or anywhere in the log.
            y = jumps ? rng->bounded(maxY) : std::fmod(y + 40.0, maxY);
            list->setProperty("contentY", y);
            window->update();
        },
        Qt::DirectConnection);
    clock.start();
    qint64 measuredFrom = 0;
    const QMetaObject::Connection c = QObject::connect(window, &QQuickWindow::frameSwapped, window, [&] {
        if (swapped == kWarmUp)
            measuredFrom = clock.nsecsElapsed();
    });
    list->setProperty("contentY", y + 1);
    window->update();
    if (!QTest::qWaitFor([&] { return swapped >= frames + kWarmUp; }, 120000))
        std::fprintf(stderr, "%s: only %d frames rendered\n", what, swapped);
    const double seconds = double(clock.nsecsElapsed() - measuredFrom) / 1e9;
    QObject::disconnect(a);
    QObject::disconnect(b);
    QObject::disconnect(c);
    swapped -= kWarmUp;
    const double p50 = percentile(work, 50);
    row("desktop", u"%1: frames"_s.arg(QString::fromLatin1(what)).toLatin1().constData(), double(swapped),
        "");
    row("desktop", u"%1: achieved"_s.arg(QString::fromLatin1(what)).toLatin1().constData(),
        double(swapped) / seconds, "fps");
    row("desktop", u"%1: frame work p50"_s.arg(QString::fromLatin1(what)).toLatin1().constData(), p50, "ms");
    row("desktop", u"%1: frame work p95"_s.arg(QString::fromLatin1(what)).toLatin1().constData(),
        percentile(work, 95), "ms");
    row("desktop", u"%1: frame work p99"_s.arg(QString::fromLatin1(what)).toLatin1().constData(),
        percentile(work, 99), "ms");
    row("desktop", u"%1: frame interval p99"_s.arg(QString::fromLatin1(what)).toLatin1().constData(),
        percentile(intervals, 99), "ms");
    row("desktop", u"%1: capacity (1000 / work p99)"_s.arg(QString::fromLatin1(what)).toLatin1().constData(),
        1000.0 / std::max(0.001, percentile(work, 99)), "fps");
}

// Each frame rendered on demand, whole: polish (the list lays out and rebinds its rows), sync and
// render of the window; the per-frame cost a render loop must fit in 16.7 ms for 60 fps.
void scrollRendered(QQuickWindow *window, QQuickItem *list, const char *what, int frames, bool jumps)
{
    auto *rng = QRandomGenerator::global();
    const double maxY = list->property("contentHeight").toDouble() - list->height();
    double y = 0;
    QList<double> ms;
    QElapsedTimer total;
    total.start();
    for (int i = 0; i < frames + kWarmUp; ++i) {
        y = jumps ? rng->bounded(maxY) : std::fmod(y + 40.0, maxY);
        QElapsedTimer t;
        t.start();
        list->setProperty("contentY", y);
        const QImage frame = window->grabWindow(); // polish, sync, render
        if (i >= kWarmUp)
            ms.append(double(t.nsecsElapsed()) / 1e6);
        if (frame.isNull())
            std::fprintf(stderr, "%s: no frame rendered\n", what);
    }
    auto name = [&](const char *figure) {
        return QStringLiteral("%1: %2")
            .arg(QString::fromLatin1(what), QString::fromLatin1(figure))
            .toLatin1();
    };
    double sum = 0;
    for (double v : std::as_const(ms))
        sum += v;
    row("desktop", name("whole frame p50").constData(), percentile(ms, 50), "ms");
    row("desktop", name("whole frame p95").constData(), percentile(ms, 95), "ms");
    row("desktop", name("whole frame p99").constData(), percentile(ms, 99), "ms");
    row("desktop", name("frames per second (1000 / mean)").constData(), 1000.0 * double(ms.size()) / sum,
        "fps");
    row("desktop", name("frames within 16.7 ms").constData(),
        100.0 * double(std::count_if(ms.begin(), ms.end(), [](double v) { return v <= 1000.0 / 60.0; }))
            / double(std::max<qsizetype>(1, ms.size())),
        "%");
}

int runClient(const QString &url, const QString &runId, int events, int frames)
{
    QQuickStyle::setStyle(u"Fusion"_s);
    QTemporaryDir config;
    client::Desktop::setSettingsFile(config.filePath(u"desktop.ini"_s));
    auto *connections = new client::ConnectionManager(qApp);
    connections->setConfigDir(config.path());
    QQmlApplicationEngine engine;
    engine.setInitialProperties({ { u"connections"_s, QVariant::fromValue(connections) },
                                  { u"watcher"_s, QVariant::fromValue(new client::RunWatcher(qApp)) },
                                  { u"startUrl"_s, url },
                                  { u"restoreState"_s, false } });
    engine.load(QUrl(u"qrc:/Lifdag/Views/Main.qml"_s));
    if (engine.rootObjects().isEmpty())
        return 1;
    auto *window = qobject_cast<QQuickWindow *>(engine.rootObjects().first());
    window->resize(1280, 800);
    if (!QTest::qWaitFor([&] { return connections->client()->isOnline(); }, 20000)) {
        std::fprintf(stderr, "not connected: %s\n", qPrintable(connections->client()->errorString()));
        return 1;
    }
    QTest::qWait(1000);
    row("desktop", "RSS connected, runs list shown", statusMb(0, "VmRSS:"), "MB");

    QElapsedTimer t;
    t.start();
    QMetaObject::invokeMethod(window, "openRun", Q_ARG(QVariant, runId));
    QObject *detailView = window->property("detailView").value<QObject *>();
    auto *detail = detailView->property("detail").value<client::RunDetail *>();
    detailView->property("tabs").value<QObject *>()->setProperty("currentIndex", 1);
    if (!QTest::qWaitFor([&] { return detail->events()->count() >= events && detail->events()->live(); },
                         120000)) {
        std::fprintf(stderr, "only %d events loaded\n", detail->events()->count());
        return 1;
    }
    row("desktop", "events loaded", double(detail->events()->count()), "");
    row("desktop", "time to load the whole event log", double(t.elapsed()) / 1000.0, "s");
    QTest::qWait(1500); // the view settles, freed page buffers are returned
    row("desktop", "RSS with the run open (all events held)", statusMb(0, "VmRSS:"), "MB");
    row("desktop", "peak RSS (VmHWM) so far", statusMb(0, "VmHWM:"), "MB");

    auto *list = detailView->property("eventLog").value<QObject *>()->property("list").value<QQuickItem *>();
    list->setProperty("contentY", 0.0);
    QTest::qWait(200);
    scroll(window, list, "render loop, steady scroll", frames, false);
    scroll(window, list, "render loop, random jumps", frames / 2, true);
    scrollRendered(window, list, "rendered, steady scroll", frames, false);
    scrollRendered(window, list, "rendered, random jumps", frames / 2, true);
    row("desktop", "RSS after scrolling", statusMb(0, "VmRSS:"), "MB");
    const double peak = statusMb(0, "VmHWM:");
    std::printf("desktop    target: under 150 MB with the run open - peak %.1f MB: %s\n", peak,
                peak < 150 ? "met" : "MISSED");
    return 0;
}

} // namespace

int main(int argc, char *argv[])
{
    const bool child = argc > 1 && qstrcmp(argv[1], "--client") == 0;
    // Offscreen, software-rendered: the same figures on a desktop and in CI.
    qputenv("QT_QPA_PLATFORM", "offscreen");
    qputenv("QT_QUICK_BACKEND", "software");
    QGuiApplication app(argc, argv);
    QCommandLineParser parser;
    parser.addOption({ u"events"_s, u"Events in the run (default 100000)."_s, u"n"_s, u"100000"_s });
    parser.addOption({ u"frames"_s, u"Frames of steady scrolling (default 600)."_s, u"n"_s, u"600"_s });
    parser.addOption({ u"client"_s, u"(internal) measure the client against URL."_s, u"url"_s });
    parser.addOption({ u"run"_s, u"(internal) the run to open."_s, u"id"_s });
    parser.addHelpOption();
    parser.process(app);
    const int events = parser.value(u"events"_s).toInt();
    const int frames = parser.value(u"frames"_s).toInt();
    if (child)
        return runClient(parser.value(u"client"_s), parser.value(u"run"_s), events, frames);

    test::DevServer server("run_monitoring:\n  enabled: false\n");
    if (!server.start() || !server.instance()) {
        std::fprintf(stderr, "lifdag dev: %s\n", qPrintable(server.error()));
        return 1;
    }
    QElapsedTimer t;
    t.start();
    const QString runId = server.addRun(u"bench_events_job"_s);
    // Events like a long fan-out writes: step events with messages of varied length, some payloads.
    QList<Event> batch;
    qint64 written = 0;
    for (int i = 0; i < events; ++i) {
        Event e = runEvent(
            runId, i % 5 == 0 ? EventType::StepOutput : EventType::LogMessage,
            u"work item %1 processed %2 records from source org%3"_s.arg(i).arg(i * 7 % 1000).arg(i % 4));
        e.stepKey = u"work[item_%1]"_s.arg(i / 50);
        if (i % 25 == 0)
            e.payload = QJsonObject { { u"records"_s, i % 1000 }, { u"source"_s, u"org%1"_s.arg(i % 4) } };
        batch.append(e);
        if (batch.size() == 5000 || i == events - 1) {
            if (!server.instance()->storage().events().append(batch)) {
                std::fprintf(stderr, "seeding failed\n");
                return 1;
            }
            written += batch.size();
            batch.clear();
        }
    }
    row("desktop", "seeded events", double(written), "");
    row("desktop", "seeding time", double(t.elapsed()) / 1000.0, "s");

    QProcess client;
    client.setProcessChannelMode(QProcess::ForwardedChannels);
    client.start(QCoreApplication::applicationFilePath(),
                 { u"--client"_s, server.url(), u"--run"_s, runId, u"--events"_s, QString::number(events),
                   u"--frames"_s, QString::number(frames) });
    client.waitForFinished(600000);

    // The application itself, opened on the run: RSS once it stops growing.
    QTemporaryDir config;
    QProcess app2;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(u"QT_QPA_PLATFORM"_s, u"offscreen"_s);
    env.insert(u"QT_QUICK_BACKEND"_s, u"software"_s);
    env.insert(u"XDG_CONFIG_HOME"_s, config.path());
    app2.setProcessEnvironment(env);
    app2.start(QStringLiteral(LIFDAG_BINARY_DIR "/bin/lifdag-desktop"),
               { u"--server"_s, server.url(), u"--run"_s, runId });
    if (app2.waitForStarted(10000)) {
        double last = 0;
        int steady = 0;
        QElapsedTimer w;
        w.start();
        while (w.elapsed() < 90000 && steady < 6) {
            QTest::qWait(500);
            const double now = statusMb(app2.processId(), "VmRSS:");
            steady = now > 40 && std::abs(now - last) < 0.5 ? steady + 1 : 0;
            last = now;
        }
        row("desktop", "lifdag-desktop --run (process RSS, steady)", last, "MB");
        row("desktop", "lifdag-desktop peak RSS (VmHWM)", statusMb(app2.processId(), "VmHWM:"), "MB");
        app2.terminate();
        app2.waitForFinished(10000);
    }
    return client.exitCode();
}
