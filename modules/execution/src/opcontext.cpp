#include "lifdag/execution/opcontext.h"

#include "executor_p.h"

#include <QRegularExpression>

using namespace Qt::StringLiterals;

namespace lifdag::execution {

QJsonValue Resources::config(const QString &name) const
{
    const auto it = m_entries.constFind(name);
    return it == m_entries.constEnd() ? QJsonValue(QJsonValue::Undefined) : it->config;
}

const std::any *Resources::value(const QString &name) const
{
    const auto it = m_entries.constFind(name);
    return it == m_entries.constEnd() ? nullptr : it->value.get();
}

void Resources::insert(const QString &name, const QJsonValue &config, std::any value)
{
    m_entries.insert(name, Entry { config, std::make_shared<const std::any>(std::move(value)) });
}

void OpLogger::emitLine(const char *level, const QString &message) const
{
    m_attempt.run->emitEvent(EventType::LogMessage, m_attempt.stepKey, message, {}, level);
}

void OpLogger::debug(const QString &message) const
{
    emitLine("DEBUG", message);
}
void OpLogger::info(const QString &message) const
{
    emitLine("INFO", message);
}
void OpLogger::warning(const QString &message) const
{
    emitLine("WARNING", message);
}
void OpLogger::error(const QString &message) const
{
    emitLine("ERROR", message);
}
void OpLogger::critical(const QString &message) const
{
    emitLine("CRITICAL", message);
}

OpContext::OpContext(detail::StepAttempt &attempt)
    : m_attempt(attempt)
    , m_log(attempt)
{ }

const QString &OpContext::runId() const
{
    return m_attempt.run->runId;
}
const QString &OpContext::jobName() const
{
    return m_attempt.run->job->name();
}
const QString &OpContext::opName() const
{
    return m_attempt.node->op.name;
}
const QString &OpContext::stepKey() const
{
    return m_attempt.stepKey;
}
const QString &OpContext::mappingKey() const
{
    return m_attempt.mappingKey;
}
int OpContext::retryNumber() const
{
    return m_attempt.retryNumber;
}
const QJsonObject &OpContext::runConfig() const
{
    return m_attempt.run->runConfig;
}
const QJsonValue &OpContext::opConfig() const
{
    return m_attempt.opConfig;
}
const Resources &OpContext::resources() const
{
    return m_attempt.run->resources;
}

bool OpContext::hasInput(const QString &name) const
{
    return m_attempt.inputs.contains(name);
}

QJsonValue OpContext::input(const QString &name) const
{
    return m_attempt.inputs.value(name, QJsonValue(QJsonValue::Undefined));
}

void OpContext::output(const QJsonValue &value)
{
    output(u"result"_s, value);
}

void OpContext::output(const QString &name, const QJsonValue &value)
{
    const OutputDefinition *def = m_attempt.node->op.output(name);
    const QString op = u"op \""_s + opName() + u'"';
    if (!def) {
        m_attempt.outputErrors.append(op + u" yielded output \""_s + name
                                      + u"\", which it does not declare"_s);
        return;
    }
    if (def->isDynamic) {
        m_attempt.outputErrors.append(op + u" yielded dynamic output \""_s + name
                                      + u"\" without a mapping key"_s);
        return;
    }
    if (m_attempt.outputs.contains(name)) {
        m_attempt.outputErrors.append(op + u" yielded output \""_s + name + u"\" more than once"_s);
        return;
    }
    m_attempt.outputs.insert(name, value);
    m_attempt.run->emitEvent(EventType::StepOutput, m_attempt.stepKey,
                             u"Yielded output \""_s + name + u"\" of type \"Any\". (Type check passed)."_s,
                             QJsonObject { { u"output_name"_s, name }, { u"type_check_passed"_s, true } });
}

void OpContext::dynamicOutput(const QString &mappingKey, const QJsonValue &value)
{
    dynamicOutput(u"result"_s, mappingKey, value);
}

void OpContext::dynamicOutput(const QString &name, const QString &mappingKey, const QJsonValue &value)
{
    static const QRegularExpression validKey(u"^[A-Za-z0-9_]+$"_s);
    const OutputDefinition *def = m_attempt.node->op.output(name);
    const QString op = u"op \""_s + opName() + u'"';
    if (!def) {
        m_attempt.outputErrors.append(op + u" yielded output \""_s + name
                                      + u"\", which it does not declare"_s);
        return;
    }
    if (!def->isDynamic) {
        m_attempt.outputErrors.append(op + u" yielded a mapping key for output \""_s + name
                                      + u"\", which is not dynamic"_s);
        return;
    }
    if (!validKey.match(mappingKey).hasMatch()) {
        m_attempt.outputErrors.append(op + u" yielded mapping key \""_s + mappingKey + u"\" for output \""_s
                                      + name + u"\"; mapping keys must match [A-Za-z0-9_]+"_s);
        return;
    }
    QSet<QString> &keys = m_attempt.dynamicKeys[name];
    if (keys.contains(mappingKey)) {
        m_attempt.outputErrors.append(op + u" yielded mapping key \""_s + mappingKey
                                      + u"\" twice for output \""_s + name + u'"');
        return;
    }
    keys.insert(mappingKey);
    m_attempt.dynamicOutputs[name].append(DynamicValue { mappingKey, value });
    m_attempt.run->emitEvent(EventType::StepOutput, m_attempt.stepKey,
                             u"Yielded output \""_s + name + u"\" mapping key \""_s + mappingKey
                                 + u"\" of type \"Any\". (Type check passed)."_s,
                             QJsonObject { { u"output_name"_s, name },
                                           { u"mapping_key"_s, mappingKey },
                                           { u"type_check_passed"_s, true } });
}

bool OpContext::isCancelRequested() const
{
    return m_attempt.run->cancel.requested.load(std::memory_order_relaxed);
}

void OpContext::throwIfCancelRequested() const
{
    if (isCancelRequested())
        throw OpInterrupted();
}

bool OpContext::sleepFor(std::chrono::milliseconds duration) const
{
    auto &cancel = m_attempt.run->cancel;
    std::unique_lock lock(cancel.mutex);
    return !cancel.changed.wait_for(lock, duration, [&] { return cancel.requested.load(); });
}

Error OpContext::failure(const QString &message, const QString &code, std::source_location where)
{
    m_attempt.failureLocation = formatLocation(where);
    return Error { code, message };
}

} // namespace lifdag::execution
