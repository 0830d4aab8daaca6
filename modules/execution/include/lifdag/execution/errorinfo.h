// What a failed step reports (Dagster's SerializableErrorInfo), and the exception ops may throw.
#pragma once

#include <QJsonObject>
#include <QString>
#include <QStringList>
#include <exception>
#include <memory>
#include <source_location>
#include <stdexcept>

namespace lifdag::execution {

struct ErrorInfo
{
    QString message;
    QString className; // the C++ type of the exception ("std::runtime_error"), or "lifdag::Error"
    QString code; // Error::code for returned errors; empty for exceptions
    QString location; // "file:line (function)" where known
    QStringList stack; // innermost last; the location plus the step it ran in
    std::shared_ptr<const ErrorInfo> cause; // std::nested_exception chain

    // {message, cls_name, code?, location?, stack, cause?} - Dagster's serialized names; registered
    // secrets in messages are masked (lifdag::redaction).
    QJsonObject toJson() const;

    // Describes the exception currently being handled (call inside a catch block).
    static ErrorInfo fromCurrentException();
};

// Thrown by ops for an expected failure, with the place it was raised. allowRetries = false
// fails the step at once even under a retry policy (Dagster's Failure(allow_retries=False)).
class OpFailure : public std::runtime_error
{
public:
    explicit OpFailure(const QString &message, bool allowRetries = true,
                       std::source_location where = std::source_location::current());

    bool allowRetries() const { return m_allowRetries; }
    const std::source_location &where() const { return m_where; }

private:
    bool m_allowRetries;
    std::source_location m_where;
};

// Thrown by OpContext::throwIfCancelRequested() when the run is being canceled.
class OpInterrupted : public std::runtime_error
{
public:
    OpInterrupted();
};

QString formatLocation(const std::source_location &where);

} // namespace lifdag::execution
