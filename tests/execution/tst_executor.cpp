#include <lifdag/core/redaction.h>
#include <lifdag/execution/examplejobs.h>
#include <lifdag/execution/executor.h>
#include <lifdag/execution/opcontext.h>

#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QTest>
#include <atomic>

using namespace lifdag;
using namespace lifdag::execution;
using namespace Qt::StringLiterals;

namespace {

JobPtr build(const JobBuilder &builder)
{
    auto job = builder.build();
    if (!job.ok())
        qFatal("job does not build: %s", qPrintable(job.error().message));
    return *job;
}

RunResult runJob(const JobPtr &job, MemoryEventSink &sink, const QJsonObject &config = {},
                 ExecutorOptions options = {})
{
    Executor executor(job, u"run-1"_s, config, sink, std::move(options));
    return executor.run();
}

QJsonObject opConfig(const QString &op, const QJsonObject &config)
{
    return QJsonObject { { u"ops"_s, QJsonObject { { op, QJsonObject { { u"config"_s, config } } } } } };
}

QJsonObject fanoutConfig(int count, int sleepMs = 0, const QStringList &failKeys = {}, int maxConcurrent = 0)
{
    QJsonObject config = opConfig(u"fan_out"_s,
                                  QJsonObject { { u"count"_s, count },
                                                { u"sleep_ms"_s, sleepMs },
                                                { u"fail_keys"_s, QJsonArray::fromStringList(failKeys) } });
    if (maxConcurrent > 0)
        config.insert(
            u"execution"_s,
            QJsonObject { { u"config"_s,
                            QJsonObject { { u"multiprocess"_s,
                                            QJsonObject { { u"max_concurrent"_s, maxConcurrent } } } } } });
    return config;
}

// Index of the first event of `type` for `stepKey`, or -1.
qsizetype indexOf(const QList<Event> &events, const char *type, const QString &stepKey = {})
{
    for (qsizetype i = 0; i < events.size(); ++i) {
        if (events[i].eventType == QLatin1StringView(type) && events[i].stepKey == stepKey)
            return i;
    }
    return -1;
}

qsizetype countOf(const QList<Event> &events, const char *type)
{
    return std::count_if(events.begin(), events.end(),
                         [&](const Event &e) { return e.eventType == QLatin1StringView(type); });
}

OpDefinition valueOp(const QString &name, const QJsonValue &value)
{
    return OpDefinition { .name = name, .compute = [value](OpContext &c) -> Status {
                             c.output(value);
                             return {};
                         } };
}

OpDefinition passOp(const QString &name)
{
    return OpDefinition { .name = name,
                          .inputs = { InputDefinition { .name = u"x"_s } },
                          .compute = [](OpContext &c) -> Status {
                              c.output(c.input(u"x"_s));
                              return {};
                          } };
}

OpDefinition dynamicOp(const QString &name, const QStringList &keys)
{
    return OpDefinition { .name = name,
                          .outputs = { OutputDefinition { .isDynamic = true } },
                          .compute = [keys](OpContext &c) -> Status {
                              for (const QString &k : keys)
                                  c.dynamicOutput(k, k);
                              return {};
                          } };
}

} // namespace

class TestExecutor : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void helloJobEmitsTheDagsterEventSequence()
    {
        MemoryEventSink sink;
        const RunResult result = runJob(build(examples::helloJob()), sink);
        QCOMPARE(result.status, RunStatus::Success);
        QCOMPARE(sink.eventTypes(),
                 (QStringList { u"RUN_START"_s, u"STEP_START"_s, u"LOG_MESSAGE"_s, u"STEP_OUTPUT"_s,
                                u"STEP_SUCCESS"_s, u"RUN_SUCCESS"_s }));
        const QList<Event> events = sink.events();
        for (const Event &e : events) {
            QCOMPARE(e.runId, u"run-1"_s);
            QVERIFY(e.timestamp.isValid());
            QCOMPARE(e.timestamp.timeSpec(), Qt::UTC);
        }
        QCOMPARE(events[0].stepKey, QString());
        QCOMPARE(events[0].message, u"Started execution of run for \"hello_job\"."_s);
        QCOMPARE(events[1].stepKey, u"hello"_s);
        QCOMPARE(events[2].message, u"Hello, world!"_s);
        QCOMPARE(events[2].level, u"INFO"_s);
        QCOMPARE(events[3].payload[u"output_name"_s].toString(), u"result"_s);
        QVERIFY(events[4].payload[u"duration_ms"_s].toDouble() >= 0.0);
        QCOMPARE(result.output(u"hello"_s).toString(), u"Hello, world!"_s);
    }

    void logLevelsBecomeEventLevels()
    {
        JobBuilder b(u"logs"_s);
        b.add(OpDefinition { .name = u"talk"_s, .outputs = {}, .compute = [](OpContext &c) -> Status {
                                c.log().debug(u"d"_s);
                                c.log().info(u"i"_s);
                                c.log().warning(u"w"_s);
                                c.log().error(u"e"_s);
                                c.log().critical(u"c"_s);
                                return {};
                            } });
        MemoryEventSink sink;
        QCOMPARE(runJob(build(b), sink).status, RunStatus::Success);
        QStringList levels;
        for (const Event &e : sink.eventsFor(u"talk"_s)) {
            if (e.eventType == u"LOG_MESSAGE"_s)
                levels.append(e.level + u':' + e.message);
        }
        QCOMPARE(levels,
                 (QStringList { u"DEBUG:d"_s, u"INFO:i"_s, u"WARNING:w"_s, u"ERROR:e"_s, u"CRITICAL:c"_s }));
    }

    void runsStepsInTopologicalOrder_data()
    {
        QTest::addColumn<int>("maxConcurrent");
        QTest::newRow("serial") << 1;
        QTest::newRow("parallel") << 4;
    }
    void runsStepsInTopologicalOrder()
    {
        QFETCH(int, maxConcurrent);
        MemoryEventSink sink;
        const RunResult result = runJob(build(examples::diamondJob()), sink,
                                        opConfig(u"start"_s, QJsonObject { { u"value"_s, 5 } }),
                                        ExecutorOptions { .maxConcurrent = maxConcurrent });
        QCOMPARE(result.status, RunStatus::Success);
        QCOMPARE(result.output(u"join"_s).toInt(), (5 + 1) + (5 * 2));
        const QList<Event> events = sink.events();
        const QList<std::pair<QString, QString>> edges { { u"start"_s, u"left"_s },
                                                         { u"start"_s, u"right"_s },
                                                         { u"left"_s, u"join"_s },
                                                         { u"right"_s, u"join"_s } };
        for (const auto &[up, down] : edges) {
            const qsizetype done = indexOf(events, "STEP_SUCCESS", up);
            const qsizetype started = indexOf(events, "STEP_START", down);
            QVERIFY(done >= 0 && started >= 0);
            QVERIFY2(done < started, qPrintable(up + u" must finish before "_s + down + u" starts"_s));
        }
        if (maxConcurrent == 1) {
            QStringList starts;
            for (const Event &e : events) {
                if (e.eventType == u"STEP_START"_s)
                    starts.append(e.stepKey);
            }
            QCOMPARE(starts, (QStringList { u"start"_s, u"left"_s, u"right"_s, u"join"_s }));
        }
    }

    void fansOutHundredKeysAndCollectsAll()
    {
        MemoryEventSink sink;
        const RunResult result = runJob(build(examples::fanoutJob()), sink, fanoutConfig(100));
        QCOMPARE(result.status, RunStatus::Success);
        QCOMPARE(result.steps.size(), 102);
        const QList<Event> events = sink.events();
        QCOMPARE(countOf(events, "STEP_SUCCESS"), 102);
        QCOMPARE(sink.eventTypesFor(u"fan_out"_s).count(u"STEP_OUTPUT"_s), 100);
        QCOMPARE(sink.eventsFor(u"fan_out"_s)[1].payload[u"mapping_key"_s].toString(), u"item_0"_s);
        QCOMPARE(sink.eventTypesFor(u"work[item_42]"_s),
                 (QStringList { u"STEP_START"_s, u"STEP_OUTPUT"_s, u"STEP_SUCCESS"_s }));
        const QJsonObject gathered = result.output(u"gather"_s).toObject();
        QCOMPARE(gathered[u"count"_s].toInt(), 100);
        QJsonArray expectedKeys;
        double sum = 0;
        for (int i = 0; i < 100; ++i) {
            expectedKeys.append(QString(u"item_"_s + QString::number(i)));
            sum += i * i;
        }
        QCOMPARE(gathered[u"keys"_s].toArray(), expectedKeys);
        QCOMPARE(gathered[u"sum"_s].toDouble(), sum);
        QCOMPARE(result.dynamicOutputs[u"fan_out"_s][u"result"_s].size(), 100);
        // gather starts only after every branch finished
        const qsizetype gatherStart = indexOf(events, "STEP_START", u"gather"_s);
        for (int i = 0; i < 100; ++i)
            QVERIFY(indexOf(events, "STEP_SUCCESS", u"work[item_"_s + QString::number(i) + u']')
                    < gatherStart);
    }

    void collectKeepsTheOrderKeysWereYielded()
    {
        JobBuilder b(u"order"_s);
        b.add(dynamicOp(u"fan"_s, { u"b"_s, u"a"_s, u"c"_s }));
        b.add(passOp(u"each"_s), { { u"x"_s, from(u"fan"_s) } });
        b.add(passOp(u"all"_s), { { u"x"_s, collect(u"each"_s) } });
        b.add(passOp(u"direct"_s), { { u"x"_s, collect(u"fan"_s) } });
        MemoryEventSink sink;
        const RunResult result = runJob(build(b), sink, {}, ExecutorOptions { .maxConcurrent = 3 });
        QCOMPARE(result.status, RunStatus::Success);
        QCOMPARE(result.output(u"all"_s).toArray(), (QJsonArray { u"b"_s, u"a"_s, u"c"_s }));
        QCOMPARE(result.output(u"direct"_s).toArray(), (QJsonArray { u"b"_s, u"a"_s, u"c"_s }));
    }

    void chainsMappedOpsPerKeyAndSkipsAfterAFailedBranch()
    {
        JobBuilder b(u"chain"_s);
        b.add(dynamicOp(u"fan"_s, { u"k1"_s, u"k2"_s, u"k3"_s }));
        b.add(OpDefinition { .name = u"first"_s,
                             .inputs = { InputDefinition { .name = u"x"_s } },
                             .compute = [](OpContext &c) -> Status {
                                 if (c.mappingKey() == u"k2"_s)
                                     throw std::runtime_error("k2 breaks");
                                 c.output(QString(c.input(u"x"_s).toString() + u"+first"_s));
                                 return {};
                             } },
              { { u"x"_s, from(u"fan"_s) } });
        b.add(OpDefinition { .name = u"second"_s,
                             .inputs = { InputDefinition { .name = u"x"_s },
                                         InputDefinition { .name = u"raw"_s } },
                             .compute = [](OpContext &c) -> Status {
                                 c.output(QString(c.input(u"x"_s).toString() + u"+second("_s
                                                  + c.input(u"raw"_s).toString() + u')'));
                                 return {};
                             } },
              { { u"x"_s, from(u"first"_s) }, { u"raw"_s, from(u"fan"_s) } });
        b.add(passOp(u"gather"_s), { { u"x"_s, collect(u"second"_s) } });
        MemoryEventSink sink;
        const RunResult result = runJob(build(b), sink);
        QCOMPARE(result.status, RunStatus::Failure);
        QCOMPARE(result.output(u"second[k1]"_s).toString(), u"k1+first+second(k1)"_s);
        QCOMPARE(result.step(u"first[k2]"_s)->state, StepState::Failed);
        QCOMPARE(result.step(u"second[k2]"_s)->state, StepState::Skipped);
        QCOMPARE(result.step(u"second[k2]"_s)->mappingKey, u"k2"_s);
        const QList<Event> skipped = sink.eventsFor(u"second[k2]"_s);
        QCOMPARE(skipped.size(), 1);
        QCOMPARE(skipped[0].eventType, u"STEP_SKIPPED"_s);
        QCOMPARE(skipped[0].payload[u"reason"_s].toString(), u"UPSTREAM_FAILED"_s);
        QCOMPARE(skipped[0].payload[u"upstream"_s].toArray(), QJsonArray { u"first[k2]"_s });
        // the failed branch is simply absent from the collected list
        QCOMPARE(result.output(u"gather"_s).toArray(),
                 (QJsonArray { u"k1+first+second(k1)"_s, u"k3+first+second(k3)"_s }));
    }

    void mappedOpReceivesBroadcastInputs()
    {
        JobBuilder b(u"broadcast"_s);
        b.add(valueOp(u"base"_s, 100));
        b.add(dynamicOp(u"fan"_s, { u"a"_s, u"b"_s }));
        b.add(OpDefinition { .name = u"add"_s,
                             .inputs = { InputDefinition { .name = u"key"_s },
                                         InputDefinition { .name = u"base"_s } },
                             .compute = [](OpContext &c) -> Status {
                                 c.output(QString(c.input(u"key"_s).toString()
                                                  + QString::number(c.input(u"base"_s).toInt())));
                                 return {};
                             } },
              { { u"key"_s, from(u"fan"_s) }, { u"base"_s, from(u"base"_s) } });
        MemoryEventSink sink;
        const RunResult result = runJob(build(b), sink);
        QCOMPARE(result.status, RunStatus::Success);
        QCOMPARE(result.output(u"add[a]"_s).toString(), u"a100"_s);
        QCOMPARE(result.output(u"add[b]"_s).toString(), u"b100"_s);
    }

    void optionalOutputNotYieldedSkipsDownstream()
    {
        JobBuilder b(u"optional"_s);
        b.add(OpDefinition { .name = u"maybe"_s,
                             .outputs = { OutputDefinition { .name = u"result"_s, .isRequired = false },
                                          OutputDefinition { .name = u"other"_s } },
                             .compute = [](OpContext &c) -> Status {
                                 c.output(u"other"_s, 1);
                                 return {};
                             } });
        b.add(passOp(u"after"_s), { { u"x"_s, from(u"maybe"_s) } });
        b.add(passOp(u"after_after"_s), { { u"x"_s, from(u"after"_s) } });
        b.add(passOp(u"uses_other"_s), { { u"x"_s, from(u"maybe"_s, u"other"_s) } });
        MemoryEventSink sink;
        const RunResult result = runJob(build(b), sink);
        QCOMPARE(result.status, RunStatus::Success);
        QCOMPARE(result.step(u"maybe"_s)->state, StepState::Succeeded);
        QCOMPARE(result.step(u"after"_s)->state, StepState::Skipped);
        QCOMPARE(result.step(u"after_after"_s)->state, StepState::Skipped);
        QCOMPARE(result.step(u"uses_other"_s)->state, StepState::Succeeded);
        const QList<Event> after = sink.eventsFor(u"after"_s);
        QCOMPARE(after.size(), 1);
        QCOMPARE(after[0].eventType, u"STEP_SKIPPED"_s);
        QCOMPARE(after[0].payload[u"reason"_s].toString(), u"UPSTREAM_SKIPPED"_s);
        QCOMPARE(sink.eventTypesFor(u"after_after"_s), QStringList { u"STEP_SKIPPED"_s });
    }

    void dynamicOutputWithoutKeysSkipsMappedAndCollectingSteps()
    {
        MemoryEventSink sink;
        const RunResult result = runJob(build(examples::fanoutJob()), sink, fanoutConfig(0));
        QCOMPARE(result.status, RunStatus::Success);
        QCOMPARE(sink.eventTypesFor(u"work[?]"_s), QStringList { u"STEP_SKIPPED"_s });
        QCOMPARE(sink.eventTypesFor(u"gather"_s), QStringList { u"STEP_SKIPPED"_s });
        QCOMPARE(result.step(u"gather"_s)->state, StepState::Skipped);
    }

    void failedStepSkipsDownstreamAndFailsTheRun()
    {
        JobBuilder b(u"failing"_s);
        b.add(OpDefinition { .name = u"boom"_s, .compute = [](OpContext &) -> Status {
                                throw std::runtime_error("disk on fire");
                            } });
        b.add(passOp(u"child"_s), { { u"x"_s, from(u"boom"_s) } });
        b.add(passOp(u"grandchild"_s), { { u"x"_s, from(u"child"_s) } });
        b.add(valueOp(u"independent"_s, 1));
        MemoryEventSink sink;
        const RunResult result = runJob(build(b), sink, {}, ExecutorOptions { .maxConcurrent = 1 });
        QCOMPARE(result.status, RunStatus::Failure);
        QCOMPARE(result.stepKeys(StepState::Failed), QStringList { u"boom"_s });
        QCOMPARE(result.stepKeys(StepState::Skipped), (QStringList { u"child"_s, u"grandchild"_s }));
        QCOMPARE(result.step(u"independent"_s)->state, StepState::Succeeded);
        const QList<Event> boom = sink.eventsFor(u"boom"_s);
        QCOMPARE(boom.last().eventType, u"STEP_FAILURE"_s);
        QCOMPARE(boom.last().level, u"ERROR"_s);
        const QJsonObject error = boom.last().payload[u"error"_s].toObject();
        QCOMPARE(error[u"message"_s].toString(), u"disk on fire"_s);
        QCOMPARE(error[u"cls_name"_s].toString(), u"std::runtime_error"_s);
        QVERIFY(error[u"stack"_s].toArray().last().toString().contains(u"step \"boom\""_s));
        QCOMPARE(sink.eventsFor(u"child"_s).first().payload[u"reason"_s].toString(), u"UPSTREAM_FAILED"_s);
        const Event last = sink.events().last();
        QCOMPARE(last.eventType, u"RUN_FAILURE"_s);
        QCOMPARE(last.payload[u"failed_steps"_s].toArray(), QJsonArray { u"boom"_s });
        QVERIFY(last.message.contains(u"[boom]"_s));
    }

    void returnedErrorCarriesCodeAndLocation()
    {
        JobBuilder b(u"error_value"_s);
        b.add(OpDefinition { .name = u"bad"_s, .compute = [](OpContext &c) -> Status {
                                return c.failure(u"upstream said no"_s, u"adapter.http_403"_s);
                            } });
        MemoryEventSink sink;
        const RunResult result = runJob(build(b), sink);
        QCOMPARE(result.status, RunStatus::Failure);
        const ErrorInfo &error = *result.step(u"bad"_s)->error;
        QCOMPARE(error.message, u"upstream said no"_s);
        QCOMPARE(error.className, u"lifdag::Error"_s);
        QCOMPARE(error.code, u"adapter.http_403"_s);
        QVERIFY2(error.location.startsWith(u"tests/execution/tst_executor.cpp:"_s),
                 qPrintable(error.location));
        QCOMPARE(sink.eventsFor(u"bad"_s).last().payload[u"error"_s][u"code"_s].toString(),
                 u"adapter.http_403"_s);
    }

    void nestedExceptionsBecomeTheCauseChain()
    {
        JobBuilder b(u"nested"_s);
        b.add(OpDefinition { .name = u"wrap"_s, .compute = [](OpContext &) -> Status {
                                try {
                                    throw std::out_of_range("index 7");
                                } catch (...) {
                                    std::throw_with_nested(std::logic_error("could not read row"));
                                }
                            } });
        MemoryEventSink sink;
        const RunResult result = runJob(build(b), sink);
        const ErrorInfo &error = *result.step(u"wrap"_s)->error;
        QCOMPARE(error.message, u"could not read row"_s);
        QVERIFY(error.className.contains(u"logic_error"_s));
        QVERIFY(error.cause);
        QCOMPARE(error.cause->message, u"index 7"_s);
        QCOMPARE(error.cause->className, u"std::out_of_range"_s);
    }

    void exceptionsOfAnyTypeNeverEscape()
    {
        JobBuilder b(u"weird"_s);
        b.add(OpDefinition { .name = u"throws_int"_s, .compute = [](OpContext &) -> Status {
                                throw 42;
                            } });
        MemoryEventSink sink;
        const RunResult result = runJob(build(b), sink);
        QCOMPARE(result.status, RunStatus::Failure);
        QCOMPARE(result.step(u"throws_int"_s)->error->className, u"unknown"_s);
    }

    void outputMisuseFailsTheStep_data()
    {
        QTest::addColumn<int>("misuse");
        QTest::addColumn<QString>("expected");
        QTest::newRow("unknown output") << 0 << u"yielded output \"nope\", which it does not declare"_s;
        QTest::newRow("output twice") << 1 << u"yielded output \"result\" more than once"_s;
        QTest::newRow("required output missing")
            << 2
            << u"Core compute for op \"op\" did not return an output for non-optional output \"result\"."_s;
        QTest::newRow("mapping key on regular output") << 3 << u"which is not dynamic"_s;
    }
    void outputMisuseFailsTheStep()
    {
        QFETCH(int, misuse);
        QFETCH(QString, expected);
        JobBuilder b(u"misuse"_s);
        b.add(OpDefinition { .name = u"op"_s, .compute = [misuse](OpContext &c) -> Status {
                                if (misuse == 0)
                                    c.output(u"nope"_s, 1);
                                if (misuse == 1) {
                                    c.output(1);
                                    c.output(2);
                                }
                                if (misuse == 3)
                                    c.dynamicOutput(u"k"_s, 1);
                                return {};
                            } });
        MemoryEventSink sink;
        const RunResult result = runJob(build(b), sink);
        QCOMPARE(result.status, RunStatus::Failure);
        QVERIFY2(result.step(u"op"_s)->error->message.contains(expected),
                 qPrintable(result.step(u"op"_s)->error->message));
    }

    void badMappingKeysFailTheProducer_data()
    {
        QTest::addColumn<QStringList>("keys");
        QTest::addColumn<QString>("expected");
        QTest::newRow("duplicate") << QStringList { u"a"_s, u"a"_s } << u"yielded mapping key \"a\" twice"_s;
        QTest::newRow("invalid characters")
            << QStringList { u"a-b"_s } << u"mapping keys must match [A-Za-z0-9_]+"_s;
    }
    void badMappingKeysFailTheProducer()
    {
        QFETCH(QStringList, keys);
        QFETCH(QString, expected);
        JobBuilder b(u"keys"_s);
        b.add(dynamicOp(u"fan"_s, keys));
        b.add(passOp(u"each"_s), { { u"x"_s, from(u"fan"_s) } });
        MemoryEventSink sink;
        const RunResult result = runJob(build(b), sink);
        QCOMPARE(result.status, RunStatus::Failure);
        QVERIFY2(result.step(u"fan"_s)->error->message.contains(expected),
                 qPrintable(result.step(u"fan"_s)->error->message));
        QCOMPARE(result.step(u"each[?]"_s)->state, StepState::Skipped);
        QCOMPARE(sink.eventsFor(u"each[?]"_s).first().payload[u"reason"_s].toString(), u"UPSTREAM_FAILED"_s);
    }

    void failedBranchesAreAbsentFromCollectAndAllFailedSkipsIt()
    {
        MemoryEventSink sink;
        const RunResult some =
            runJob(build(examples::fanoutJob()), sink, fanoutConfig(5, 0, { u"item_1"_s, u"item_3"_s }));
        QCOMPARE(some.status, RunStatus::Failure);
        QCOMPARE(some.stepKeys(StepState::Failed), (QStringList { u"work[item_1]"_s, u"work[item_3]"_s }));
        const QJsonObject gathered = some.output(u"gather"_s).toObject();
        QCOMPARE(gathered[u"keys"_s].toArray(), (QJsonArray { u"item_0"_s, u"item_2"_s, u"item_4"_s }));
        const QJsonObject error = sink.eventsFor(u"work[item_1]"_s).last().payload[u"error"_s].toObject();
        QCOMPARE(error[u"cls_name"_s].toString(), u"lifdag::execution::OpFailure"_s);
        QVERIFY(error[u"location"_s].toString().startsWith(u"modules/execution/src/examplejobs.cpp:"_s));

        MemoryEventSink allSink;
        const RunResult all =
            runJob(build(examples::fanoutJob()), allSink, fanoutConfig(2, 0, { u"item_0"_s, u"item_1"_s }));
        QCOMPARE(all.status, RunStatus::Failure);
        QCOMPARE(all.step(u"gather"_s)->state, StepState::Skipped);
        QCOMPARE(allSink.eventsFor(u"gather"_s).first().payload[u"reason"_s].toString(),
                 u"UPSTREAM_FAILED"_s);
    }

    void retriesWithExponentialBackoffAndPlusMinusJitter()
    {
        const quint64 seed = 20240611;
        MemoryEventSink sink;
        const JobPtr job = build(examples::flakyJob());
        const RunResult result = runJob(job, sink, opConfig(u"flaky"_s, QJsonObject { { u"failures"_s, 3 } }),
                                        ExecutorOptions { .seed = seed });
        QCOMPARE(result.status, RunStatus::Success);
        QCOMPARE(result.step(u"flaky"_s)->attempts, 4);
        QCOMPARE(result.output(u"flaky"_s).toObject()[u"attempts"_s].toInt(), 4);
        QCOMPARE(
            sink.eventTypesFor(u"flaky"_s),
            (QStringList { u"STEP_START"_s, u"STEP_UP_FOR_RETRY"_s, u"STEP_RESTARTED"_s,
                           u"STEP_UP_FOR_RETRY"_s, u"STEP_RESTARTED"_s, u"STEP_UP_FOR_RETRY"_s,
                           u"STEP_RESTARTED"_s, u"LOG_MESSAGE"_s, u"STEP_OUTPUT"_s, u"STEP_SUCCESS"_s }));

        // The same draws, replayed: delay 0.01 s, EXPONENTIAL, PLUS_MINUS.
        const RetryPolicy policy = *job->node(u"flaky"_s)->op.retryPolicy;
        RandomSource replay(seed);
        QList<double> expected;
        for (int attempt = 1; attempt <= 3; ++attempt) {
            const double draw = replay.next();
            expected.append(policy.calculateDelay(attempt, draw));
            // (2^n - 1) * d ± d
            const double backoff = (std::pow(2.0, attempt) - 1.0) * 0.01;
            QVERIFY(expected.last() >= backoff - 0.01 - 1e-12 && expected.last() <= backoff + 0.01 + 1e-12);
        }
        QList<double> waited;
        QList<Event> flaky = sink.eventsFor(u"flaky"_s);
        for (qsizetype i = 0; i < flaky.size(); ++i) {
            const Event &e = flaky[i];
            if (e.eventType != u"STEP_UP_FOR_RETRY"_s)
                continue;
            waited.append(e.payload[u"seconds_to_wait"_s].toDouble());
            QCOMPARE(e.payload[u"retry_number"_s].toInt(), int(waited.size()));
            QCOMPARE(e.payload[u"error"_s][u"code"_s].toString(), u"flaky.planned_failure"_s);
            // the restart really waited (timestamps have millisecond resolution)
            const qint64 gapMs = e.timestamp.msecsTo(flaky[i + 1].timestamp);
            QVERIFY2(gapMs + 1 >= qint64(waited.last() * 1000), qPrintable(QString::number(gapMs)));
        }
        QCOMPARE(waited, expected);
        QCOMPARE(flaky[2].message, u"Started re-execution (attempt # 2) of step \"flaky\"."_s);

        // and a second run with the same seed waits exactly as long
        MemoryEventSink again;
        runJob(job, again, opConfig(u"flaky"_s, QJsonObject { { u"failures"_s, 3 } }),
               ExecutorOptions { .seed = seed });
        QList<double> waitedAgain;
        for (const Event &e : again.eventsFor(u"flaky"_s)) {
            if (e.eventType == u"STEP_UP_FOR_RETRY"_s)
                waitedAgain.append(e.payload[u"seconds_to_wait"_s].toDouble());
        }
        QCOMPARE(waitedAgain, expected);
    }

    void exhaustedRetriesFailTheStep()
    {
        MemoryEventSink sink;
        const RunResult result = runJob(build(examples::flakyJob()), sink,
                                        opConfig(u"flaky"_s, QJsonObject { { u"failures"_s, 10 } }),
                                        ExecutorOptions { .seed = 1 });
        QCOMPARE(result.status, RunStatus::Failure);
        QCOMPARE(result.step(u"flaky"_s)->attempts, 4);
        const QStringList types = sink.eventTypesFor(u"flaky"_s);
        QCOMPARE(types.count(u"STEP_UP_FOR_RETRY"_s), 3);
        QCOMPARE(types.last(), u"STEP_FAILURE"_s);
        QCOMPARE(sink.eventsFor(u"flaky"_s).last().payload[u"retry_number"_s].toInt(), 3);
    }

    void failureWithoutRetriesIsNotRetried()
    {
        JobBuilder b(u"no_retry"_s);
        b.opRetryPolicy(RetryPolicy { .maxRetries = 5 });
        b.add(OpDefinition { .name = u"fatal"_s, .compute = [](OpContext &) -> Status {
                                throw OpFailure(u"bad credentials"_s, false);
                            } });
        b.add(OpDefinition { .name = u"transient"_s, .compute = [](OpContext &c) -> Status {
                                if (c.retryNumber() < 2)
                                    throw std::runtime_error("timeout");
                                c.output(c.retryNumber());
                                return {};
                            } });
        MemoryEventSink sink;
        const RunResult result = runJob(build(b), sink);
        QCOMPARE(result.step(u"fatal"_s)->attempts, 1);
        QCOMPARE(result.step(u"transient"_s)->attempts, 3); // the job-wide op retry policy applies
        QCOMPARE(result.output(u"transient"_s).toInt(), 2);
        QCOMPARE(sink.eventsFor(u"transient"_s)[1].payload[u"seconds_to_wait"_s].toDouble(), 0.0);
    }

    void retryDelayDoesNotBlockAWorker()
    {
        JobBuilder b(u"retry_wait"_s);
        b.add(OpDefinition { .name = u"slow_retry"_s,
                             .retryPolicy = RetryPolicy { .maxRetries = 1, .delaySeconds = 0.3 },
                             .compute = [](OpContext &c) -> Status {
                                 if (c.retryNumber() == 0)
                                     return Error { u"x"_s, u"first attempt fails"_s };
                                 c.output(1);
                                 return {};
                             } });
        b.add(OpDefinition { .name = u"other"_s, .compute = [](OpContext &c) -> Status {
                                c.sleepFor(std::chrono::milliseconds(50));
                                c.output(1);
                                return {};
                            } });
        MemoryEventSink sink;
        const RunResult result = runJob(build(b), sink, {}, ExecutorOptions { .maxConcurrent = 1 });
        QCOMPARE(result.status, RunStatus::Success);
        const QList<Event> events = sink.events();
        // with one worker, `other` ran while slow_retry waited for its retry
        QVERIFY(indexOf(events, "STEP_SUCCESS", u"other"_s)
                < indexOf(events, "STEP_RESTARTED", u"slow_retry"_s));
        QVERIFY(indexOf(events, "STEP_UP_FOR_RETRY", u"slow_retry"_s)
                < indexOf(events, "STEP_START", u"other"_s));
    }

    void honoursMaxConcurrentFromRunConfig()
    {
        std::atomic<int> running { 0 };
        std::atomic<int> peak { 0 };
        JobBuilder b(u"concurrency"_s);
        QStringList keys;
        for (int i = 0; i < 12; ++i)
            keys.append(u"k"_s + QString::number(i));
        b.add(dynamicOp(u"fan"_s, keys));
        b.add(OpDefinition { .name = u"busy"_s,
                             .inputs = { InputDefinition { .name = u"x"_s } },
                             .outputs = {},
                             .compute = [&](OpContext &c) -> Status {
                                 const int now = ++running;
                                 int seen = peak.load();
                                 while (now > seen && !peak.compare_exchange_weak(seen, now)) { }
                                 c.sleepFor(std::chrono::milliseconds(30));
                                 --running;
                                 return {};
                             } },
              { { u"x"_s, from(u"fan"_s) } });
        MemoryEventSink sink;
        Executor executor(
            build(b), u"run-c"_s,
            QJsonObject {
                { u"execution"_s,
                  QJsonObject { { u"config"_s,
                                  QJsonObject { { u"in_process"_s,
                                                  QJsonObject { { u"max_concurrent"_s, 3 } } } } } } } },
            sink);
        const RunResult result = executor.run();
        QCOMPARE(result.status, RunStatus::Success);
        QCOMPARE(executor.maxConcurrent(), 3);
        QCOMPARE(peak.load(), 3);
        QCOMPARE(sink.events().first().payload[u"max_concurrent"_s].toInt(), 3);
    }

    void readyStepsStartTogetherOnIdleWorkers()
    {
        // Each branch waits until the other has started: they only finish if they run at once, on the
        // worker that ran their producer plus a second one.
        std::atomic<int> started { 0 };
        JobBuilder b(u"rendezvous"_s);
        b.add(dynamicOp(u"fan"_s, { u"a"_s, u"b"_s }));
        b.add(OpDefinition { .name = u"meet"_s,
                             .inputs = { InputDefinition { .name = u"x"_s } },
                             .outputs = {},
                             .compute = [&](OpContext &c) -> Status {
                                 ++started;
                                 QElapsedTimer waited;
                                 waited.start();
                                 while (started.load() < 2 && waited.elapsed() < 5000)
                                     c.sleepFor(std::chrono::milliseconds(1));
                                 if (started.load() < 2)
                                     return Error { u"test"_s, u"the other branch never started"_s };
                                 return {};
                             } },
              { { u"x"_s, from(u"fan"_s) } });
        MemoryEventSink sink;
        const RunResult result = runJob(build(b), sink, {}, ExecutorOptions { .maxConcurrent = 2 });
        QCOMPARE(result.status, RunStatus::Success);
    }

    void defaultConcurrencyIsTheCoreCount()
    {
        MemoryEventSink sink;
        Executor executor(build(examples::helloJob()), u"r"_s, {}, sink);
        QVERIFY(executor.start().ok());
        QVERIFY(executor.wait(QDeadlineTimer(10000)));
        QCOMPARE(executor.maxConcurrent(), std::max(1, QThread::idealThreadCount()));
    }

    void cancelStopsARunningJob()
    {
        MemoryEventSink sink;
        Executor executor(build(examples::fanoutJob()), u"run-cancel"_s, fanoutConfig(20, 60000, {}, 2),
                          sink);
        QVERIFY(executor.start().ok());
        QVERIFY(sink.waitFor([](const QList<Event> &events) { return countOf(events, "STEP_START") >= 3; }));
        QElapsedTimer timer;
        timer.start();
        executor.cancel();
        QVERIFY(executor.isCancelRequested());
        QVERIFY(executor.wait(QDeadlineTimer(5000)));
        QVERIFY2(timer.elapsed() < 2000, "sleeping ops wake up on cancel");
        const RunResult result = executor.result();
        QCOMPARE(result.status, RunStatus::Canceled);
        const QList<Event> events = sink.events();
        QCOMPARE(events.last().eventType, u"RUN_CANCELED"_s);
        QCOMPARE(countOf(events, "STEP_START"),
                 3); // fan_out + the two running work steps, nothing after cancel
        QCOMPARE(result.stepKeys(StepState::Failed).size(), 2); // interrupted
        QCOMPARE(result.step(u"work[item_0]"_s)->error->className, u"lifdag::execution::OpInterrupted"_s);
        QCOMPARE(result.stepKeys(StepState::NotExecuted).size(), 18 + 1);
        QVERIFY(events.last().payload[u"not_executed"_s].toArray().contains(u"gather"_s));
        QVERIFY(indexOf(events, "ENGINE_EVENT") >= 0);
    }

    void cancelDuringARetryWaitEndsAtOnce()
    {
        JobBuilder b(u"retry_cancel"_s);
        b.add(OpDefinition { .name = u"wait_long"_s,
                             .retryPolicy = RetryPolicy { .maxRetries = 1, .delaySeconds = 60.0 },
                             .compute = [](OpContext &) -> Status {
                                 return Error { u"x"_s, u"fails"_s };
                             } });
        MemoryEventSink sink;
        Executor executor(build(b), u"r"_s, {}, sink);
        QVERIFY(executor.start().ok());
        QVERIFY(sink.waitFor(
            [](const QList<Event> &events) { return countOf(events, "STEP_UP_FOR_RETRY") == 1; }));
        executor.cancel();
        QVERIFY(executor.wait(QDeadlineTimer(3000)));
        QCOMPARE(executor.result().status, RunStatus::Canceled);
        QCOMPARE(executor.result().step(u"wait_long"_s)->state, StepState::NotExecuted);
        QVERIFY(!sink.eventTypes().contains(u"STEP_RESTARTED"_s));
    }

    void opsSeeTheCancellationFlag()
    {
        std::atomic<bool> sawFlag { false };
        JobBuilder b(u"polling"_s);
        b.add(OpDefinition { .name = u"poll"_s, .outputs = {}, .compute = [&](OpContext &c) -> Status {
                                while (!c.isCancelRequested())
                                    QThread::msleep(1);
                                sawFlag = true;
                                return {};
                            } });
        MemoryEventSink sink;
        Executor executor(build(b), u"r"_s, {}, sink);
        QVERIFY(executor.start().ok());
        QVERIFY(sink.waitFor([](const QList<Event> &events) { return countOf(events, "STEP_START") == 1; }));
        executor.cancel();
        QVERIFY(executor.wait(QDeadlineTimer(3000)));
        QVERIFY(sawFlag);
        QCOMPARE(executor.result().status, RunStatus::Canceled);
        QCOMPARE(executor.result().step(u"poll"_s)->state, StepState::Succeeded); // it returned normally
    }

    void destroyingARunningExecutorCancelsIt()
    {
        MemoryEventSink sink;
        QElapsedTimer timer;
        timer.start();
        {
            Executor executor(build(examples::fanoutJob()), u"r"_s, fanoutConfig(4, 60000), sink);
            QVERIFY(executor.start().ok());
            QVERIFY(
                sink.waitFor([](const QList<Event> &events) { return countOf(events, "STEP_START") >= 2; }));
        }
        QVERIFY(timer.elapsed() < 5000);
        QCOMPARE(sink.events().last().eventType, u"RUN_CANCELED"_s);
    }

    void invalidRunConfigFailsBeforeAnyStep()
    {
        MemoryEventSink sink;
        Executor executor(
            build(examples::fanoutJob()), u"r"_s,
            opConfig(u"fan_out"_s, QJsonObject { { u"count"_s, u"many"_s }, { u"colour"_s, 1 } }), sink);
        const Status started = executor.start();
        QVERIFY(!started.ok());
        QCOMPARE(started.error().code, u"execution.invalid_run_config"_s);
        QVERIFY(executor.wait(QDeadlineTimer(1000)));
        const RunResult result = executor.result();
        QCOMPARE(result.status, RunStatus::Failure);
        QCOMPARE(result.configErrors.size(), 2);
        QCOMPARE(result.configErrors[0].path, u"ops.fan_out.config.colour"_s);
        QCOMPARE(result.configErrors[1].path, u"ops.fan_out.config.count"_s);
        QCOMPARE(sink.eventTypes(), QStringList { u"RUN_FAILURE"_s });
        const QJsonArray errors = sink.events().first().payload[u"config_errors"_s].toArray();
        QCOMPARE(errors.size(), 2);
        QCOMPARE(errors[1][u"reason"_s].toString(), u"RUNTIME_TYPE_MISMATCH"_s);
        QVERIFY(result.steps.isEmpty());
    }

    void opsSeeRunConfigResourcesAndRunId()
    {
        struct Client
        {
            QString baseUrl;
        };
        JobBuilder b(u"context"_s);
        b.resource(ResourceDefinition {
            .name = u"api"_s,
            .config = cfg::field(cfg::Shape({ { u"base_url"_s, cfg::field(cfg::String()) } })),
            .factory = [](const QJsonValue &config) -> Result<std::any> {
                return std::any(Client { config[u"base_url"_s].toString() });
            } });
        b.resource(ResourceDefinition { .name = u"plain"_s });
        b.add(OpDefinition {
            .name = u"inspect"_s,
            .config = cfg::field(cfg::Shape({ { u"limit"_s, cfg::defaulted(cfg::Int(), 3) } })),
            .requiredResources = { u"api"_s },
            .compute = [](OpContext &c) -> Status {
                const Client *client = c.resources().get<Client>(u"api"_s);
                if (!client)
                    return Error { u"test"_s, u"no client"_s };
                c.output(QJsonObject {
                    { u"run"_s, c.runId() },
                    { u"job"_s, c.jobName() },
                    { u"url"_s, client->baseUrl },
                    { u"url_config"_s, c.resources().config(u"api"_s)[u"base_url"_s] },
                    { u"limit"_s, c.opConfig()[u"limit"_s] },
                    { u"plain"_s, c.resources().config(u"plain"_s) },
                    { u"whole"_s, c.runConfig()[u"resources"_s][u"api"_s][u"config"_s][u"base_url"_s] },
                    { u"retry"_s, c.retryNumber() },
                    { u"step"_s, c.stepKey() },
                    { u"op"_s, c.opName() },
                });
                return {};
            } });
        MemoryEventSink sink;
        const QJsonObject config {
            { u"resources"_s,
              QJsonObject {
                  { u"api"_s,
                    QJsonObject { { u"config"_s, QJsonObject { { u"base_url"_s, u"http://x"_s } } } } },
                  { u"plain"_s, QJsonObject { { u"config"_s, QJsonArray { 1, 2 } } } } } }
        };
        Executor executor(build(b), u"run-ctx"_s, config, sink);
        const RunResult result = executor.run();
        QCOMPARE(result.status, RunStatus::Success);
        const QJsonObject seen = result.output(u"inspect"_s).toObject();
        QCOMPARE(seen[u"run"_s].toString(), u"run-ctx"_s);
        QCOMPARE(seen[u"job"_s].toString(), u"context"_s);
        QCOMPARE(seen[u"url"_s].toString(), u"http://x"_s);
        QCOMPARE(seen[u"url_config"_s].toString(), u"http://x"_s);
        QCOMPARE(seen[u"limit"_s].toInt(), 3);
        QCOMPARE(seen[u"plain"_s].toArray(), (QJsonArray { 1, 2 }));
        QCOMPARE(seen[u"whole"_s].toString(), u"http://x"_s);
        QCOMPARE(seen[u"retry"_s].toInt(), 0);
        QCOMPARE(seen[u"step"_s].toString(), u"inspect"_s);
        QCOMPARE(seen[u"op"_s].toString(), u"inspect"_s);
    }

    void failingResourceFailsTheRunBeforeSteps()
    {
        JobBuilder b(u"bad_resource"_s);
        b.resource(
            ResourceDefinition { .name = u"db"_s, .factory = [](const QJsonValue &) -> Result<std::any> {
                                    return Error { u"db.connect"_s, u"connection refused"_s };
                                } });
        b.add(valueOp(u"a"_s, 1));
        MemoryEventSink sink;
        const RunResult result = runJob(build(b), sink);
        QCOMPARE(result.status, RunStatus::Failure);
        QVERIFY(result.error);
        QCOMPARE(result.error->code, u"db.connect"_s);
        QCOMPARE(sink.eventTypes(), (QStringList { u"RUN_START"_s, u"ENGINE_EVENT"_s, u"RUN_FAILURE"_s }));
        QVERIFY(sink.events()[1].message.contains(u"connection refused"_s));
    }

    void onFinishedReportsTheResult()
    {
        std::atomic<int> calls { 0 };
        RunStatus seen = RunStatus::NotStarted;
        MemoryEventSink sink;
        runJob(build(examples::diamondJob()), sink, {},
               ExecutorOptions { .onFinished = [&](const RunResult &r) {
                   seen = r.status;
                   ++calls;
               } });
        QCOMPARE(calls.load(), 1);
        QCOMPARE(seen, RunStatus::Success);
    }

    void sinkIsFlushedOnceAfterTheTerminalEvent()
    {
        class RecordingSink : public EventSink
        {
        public:
            void append(Event event) override
            {
                std::lock_guard lock(mutex);
                log.append(event.eventType);
            }
            void flush() override
            {
                std::lock_guard lock(mutex);
                log.append(u"flush"_s);
            }
            std::mutex mutex;
            QStringList log;
        };
        RecordingSink sink;
        Executor executor(build(examples::diamondJob()), u"r"_s, {}, sink);
        QCOMPARE(executor.run().status, RunStatus::Success);
        QCOMPARE(sink.log.count(u"flush"_s), 1);
        QCOMPARE(sink.log.last(), u"flush"_s);
        QCOMPARE(sink.log[sink.log.size() - 2], u"RUN_SUCCESS"_s);
    }

    void callbackSinkSeesEveryEvent()
    {
        std::mutex mutex;
        QStringList seen;
        CallbackEventSink sink([&](const Event &e) {
            std::lock_guard lock(mutex);
            seen.append(e.eventType);
        });
        Executor executor(build(examples::helloJob()), u"r"_s, {}, sink);
        executor.run();
        QCOMPARE(seen.size(), 6);
        QCOMPARE(seen.last(), u"RUN_SUCCESS"_s);
    }

    void registeredSecretsNeverReachEvents()
    {
        const QString secret = u"hunter2-s3cr3t-value"_s;
        redaction::addSecret(secret);
        JobBuilder b(u"secretive"_s);
        b.add(OpDefinition { .name = u"leaky"_s, .compute = [secret](OpContext &c) -> Status {
                                c.log().info(u"calling the source with token "_s + secret);
                                throw std::runtime_error(QString(u"401 for token "_s + secret).toStdString());
                            } });
        MemoryEventSink sink;
        const RunResult result = runJob(build(b), sink);
        redaction::clearForTesting();
        QCOMPARE(result.status, RunStatus::Failure);
        bool sawMask = false;
        for (const Event &e : sink.events()) {
            const QString text = e.message + QString::fromUtf8(QJsonDocument(e.payload).toJson());
            QVERIFY2(!text.contains(secret), qPrintable(e.eventType));
            sawMask = sawMask || text.contains(u"***"_s);
        }
        QVERIFY(sawMask);
        QCOMPARE(sink.eventsFor(u"leaky"_s)[1].message, u"calling the source with token ***"_s);
    }

    void aThrowingSinkDoesNotStopTheRun()
    {
        class Throwing : public EventSink
        {
        public:
            void append(Event event) override
            {
                if (event.eventType == u"STEP_START"_s)
                    throw std::runtime_error("disk full");
                inner.append(std::move(event));
            }
            MemoryEventSink inner;
        };
        Throwing sink;
        Executor executor(build(examples::diamondJob()), u"r"_s, {}, sink);
        QCOMPARE(executor.run().status, RunStatus::Success);
        QVERIFY(!sink.inner.eventTypes().contains(u"STEP_START"_s));
        QCOMPARE(sink.inner.eventTypes().last(), u"RUN_SUCCESS"_s);
    }

    void runsALifShapedPipeline()
    {
        // The shape of LIF's lif_dynamic_pipeline_job: a resource holding query plan parts, a dynamic
        // fan-out per part, a mapped adapter → translation chain with retries and optional outputs,
        // and a collect that reports every part, failed ones included.
        const QString adapter = u"process_pipeline_subgraph.run_lif_adapter"_s;
        const QString translation = u"process_pipeline_subgraph.run_translation"_s;
        const RetryPolicy policy { .maxRetries = 3,
                                   .delaySeconds = 0.002,
                                   .backoff = Backoff::Exponential,
                                   .jitter = Jitter::PlusMinus };
        JobBuilder b(u"lif_dynamic_pipeline_job"_s);
        b.resource(
            ResourceDefinition { .name = u"config_resource"_s,
                                 .config = cfg::field(cfg::Shape(
                                     { { u"lif_query_plan_parts"_s,
                                         cfg::defaulted(cfg::Array(cfg::Permissive()), QJsonArray()) } })) });
        b.add(OpDefinition {
            .name = u"create_dynamic_pipelines"_s,
            .outputs = { OutputDefinition { .isDynamic = true } },
            .requiredResources = { u"config_resource"_s },
            .compute = [](OpContext &c) -> Status {
                const QJsonArray parts =
                    c.resources().config(u"config_resource"_s)[u"lif_query_plan_parts"_s].toArray();
                for (const QJsonValue &part : parts) {
                    const QString key = part[u"adapter_id"_s].toString().replace(u'-', u'_') + u"__"_s
                        + part[u"information_source_id"_s].toString().replace(u'-', u'_');
                    c.log().info(u"Creating dynamic pipeline for part: "_s + key);
                    c.dynamicOutput(key, part);
                }
                return {};
            } });
        b.add(OpDefinition { .name = adapter,
                             .inputs = { InputDefinition { .name = u"lif_query_plan_part"_s } },
                             .outputs = { OutputDefinition { .isRequired = false } },
                             .retryPolicy = policy,
                             .compute = [](OpContext &c) -> Status {
                                 const QJsonObject part = c.input(u"lif_query_plan_part"_s).toObject();
                                 const QString source = part[u"information_source_id"_s].toString();
                                 const bool transient = source == u"org3"_s && c.retryNumber() == 0;
                                 const bool broken = source == u"broken"_s;
                                 if (transient || broken) {
                                     if (c.retryNumber() >= 2) { // LIF gives up with data: null
                                         c.output(
                                             QJsonObject { { u"part"_s, part },
                                                           { u"data"_s, QJsonValue(QJsonValue::Null) } });
                                         return {};
                                     }
                                     throw std::runtime_error("adapter request failed");
                                 }
                                 c.output(QJsonObject { { u"part"_s, part },
                                                        { u"data"_s, QString(source + u"-data"_s) } });
                                 return {};
                             } },
              { { u"lif_query_plan_part"_s, from(u"create_dynamic_pipelines"_s) } });
        b.add(OpDefinition { .name = translation,
                             .inputs = { InputDefinition { .name = u"upstream_input"_s } },
                             .outputs = { OutputDefinition { .isRequired = false } },
                             .retryPolicy = policy,
                             .compute = [](OpContext &c) -> Status {
                                 c.output(c.input(u"upstream_input"_s));
                                 return {};
                             } },
              { { u"upstream_input"_s, from(adapter) } });
        b.add(
            OpDefinition {
                .name = u"send_results_to_query_planner"_s,
                .inputs = { InputDefinition { .name = u"results"_s } },
                .requiredResources = { u"config_resource"_s },
                .compute = [](OpContext &c) -> Status {
                    const QJsonArray results = c.input(u"results"_s).toArray();
                    QJsonArray out;
                    for (const QJsonValue &p :
                         c.resources().config(u"config_resource"_s)[u"lif_query_plan_parts"_s].toArray()) {
                        QJsonObject entry { { u"information_source_id"_s, p[u"information_source_id"_s] },
                                            { u"error"_s, u"Pipeline did not run or failed."_s } };
                        for (const QJsonValue &r : results) {
                            if (r[u"part"_s] == p && !r[u"data"_s].isNull())
                                entry = QJsonObject { { u"information_source_id"_s,
                                                        p[u"information_source_id"_s] },
                                                      { u"data"_s, r[u"data"_s] } };
                        }
                        out.append(entry);
                    }
                    c.output(
                        QJsonObject { { u"run_id"_s, c.runId() }, { u"query_plan_part_results"_s, out } });
                    return {};
                } },
            { { u"results"_s, collect(translation) } });
        const JobPtr job = build(b);
        auto part = [](const QString &source) {
            return QJsonObject { { u"adapter_id"_s, u"lif-to-lif"_s },
                                 { u"information_source_id"_s, source },
                                 { u"person_id"_s, QJsonObject { { u"identifier"_s, u"100001"_s } } } };
        };
        const QJsonObject config {
            { u"resources"_s,
              QJsonObject { { u"config_resource"_s,
                              QJsonObject { { u"config"_s,
                                              QJsonObject { { u"lif_query_plan_parts"_s,
                                                              QJsonArray { part(u"org2"_s), part(u"org3"_s),
                                                                           part(u"broken"_s) } } } } } } } }
        };
        MemoryEventSink sink;
        Executor executor(job, u"lif-run"_s, config, sink, ExecutorOptions { .seed = 5 });
        const RunResult result = executor.run();
        QCOMPARE(result.status, RunStatus::Success);
        QCOMPARE(result.step(adapter + u"[lif_to_lif__org3]"_s)->attempts, 2);
        QCOMPARE(result.step(adapter + u"[lif_to_lif__broken]"_s)->attempts, 3);
        QCOMPARE(sink.eventTypesFor(translation + u"[lif_to_lif__org2]"_s),
                 (QStringList { u"STEP_START"_s, u"STEP_OUTPUT"_s, u"STEP_SUCCESS"_s }));
        const QJsonArray sent =
            result.output(u"send_results_to_query_planner"_s)[u"query_plan_part_results"_s].toArray();
        QCOMPARE(sent.size(), 3);
        QCOMPARE(sent[0][u"data"_s].toString(), u"org2-data"_s);
        QCOMPARE(sent[1][u"data"_s].toString(), u"org3-data"_s);
        QCOMPARE(sent[2][u"error"_s].toString(), u"Pipeline did not run or failed."_s);
        QCOMPARE(result.output(u"send_results_to_query_planner"_s)[u"run_id"_s].toString(), u"lif-run"_s);
    }

    void startingTwiceIsAnError()
    {
        MemoryEventSink sink;
        Executor executor(build(examples::helloJob()), u"r"_s, {}, sink);
        QVERIFY(executor.start().ok());
        const Status again = executor.start();
        QVERIFY(!again.ok());
        QCOMPARE(again.error().code, u"execution.already_started"_s);
        QVERIFY(executor.wait(QDeadlineTimer(5000)));
        QCOMPARE(sink.eventTypes().count(u"RUN_START"_s), 1);
    }
};

QTEST_GUILESS_MAIN(TestExecutor)
#include "tst_executor.moc"
