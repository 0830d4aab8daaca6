#include "lifdag/execution/errorinfo.h"

#include <lifdag/core/redaction.h>

#include <QJsonArray>
#include <typeinfo>

#if __has_include(<cxxabi.h>)
#include <cstdlib>
#include <cxxabi.h>
#define LIFDAG_HAVE_CXXABI 1
#endif

using namespace Qt::StringLiterals;

namespace lifdag::execution {

QString formatLocation(const std::source_location &where)
{
    QString file = QString::fromUtf8(where.file_name());
    // Keep the path short and free of build-machine prefixes: from the project folder on.
    for (const QLatin1StringView root :
         { QLatin1StringView("/modules/"), QLatin1StringView("/adapters/"), QLatin1StringView("/apps/"),
           QLatin1StringView("/tests/"), QLatin1StringView("/bench/") }) {
        const qsizetype at = file.lastIndexOf(root);
        if (at >= 0) {
            file = file.mid(at + 1);
            break;
        }
    }
    return file + u':' + QString::number(where.line()) + u" ("_s + QString::fromUtf8(where.function_name())
        + u')';
}

OpFailure::OpFailure(const QString &message, bool allowRetries, std::source_location where)
    : std::runtime_error(message.toStdString())
    , m_allowRetries(allowRetries)
    , m_where(where)
{ }

OpInterrupted::OpInterrupted()
    : std::runtime_error("Execution was interrupted: the run is being canceled.")
{ }

namespace {
QString demangle(const char *name)
{
#ifdef LIFDAG_HAVE_CXXABI
    int status = 0;
    char *readable = abi::__cxa_demangle(name, nullptr, nullptr, &status);
    if (status == 0 && readable) {
        const QString out = QString::fromUtf8(readable);
        std::free(readable);
        return out;
    }
#endif
    return QString::fromUtf8(name);
}

ErrorInfo describe(const std::exception &e)
{
    ErrorInfo info;
    info.message = QString::fromUtf8(e.what());
    info.className = demangle(typeid(e).name());
    if (const auto *failure = dynamic_cast<const OpFailure *>(&e)) {
        info.location = formatLocation(failure->where());
        info.stack.append(info.location);
    }
    try {
        std::rethrow_if_nested(e);
    } catch (...) {
        info.cause = std::make_shared<const ErrorInfo>(ErrorInfo::fromCurrentException());
    }
    return info;
}
} // namespace

ErrorInfo ErrorInfo::fromCurrentException()
{
    try {
        throw;
    } catch (const std::exception &e) {
        return describe(e);
    } catch (...) {
        return ErrorInfo { .message = u"An exception that is not a std::exception was thrown."_s,
                           .className = u"unknown"_s };
    }
}

QJsonObject ErrorInfo::toJson() const
{
    QJsonObject o { { u"message"_s, redaction::redact(message) },
                    { u"cls_name"_s, className },
                    { u"stack"_s, QJsonArray::fromStringList(stack) } };
    if (!code.isEmpty())
        o.insert(u"code"_s, code);
    if (!location.isEmpty())
        o.insert(u"location"_s, location);
    if (cause)
        o.insert(u"cause"_s, cause->toJson());
    return o;
}

} // namespace lifdag::execution
