// The adapter contract (LIF's LIFDataSourceAdapter): an id, a type, the credential keys it reads,
// and run(part, credentials) → a LIF part result or the source's own JSON for translation.
#pragma once

#include <lifdag/adapters/model.h>
#include <lifdag/core/result.h>

#include <QJsonValue>
#include <QMap>
#include <QString>
#include <QStringList>

#include <chrono>
#include <functional>
#include <optional>

namespace lifdag::adapters {

// LIFAdapterType.
enum class AdapterType { LifToLif, Standalone, PipelineIntegrated, AiWrite };
QString adapterTypeName(AdapterType type); // "LIF_TO_LIF", "STANDALONE", "PIPELINE_INTEGRATED", "AI_WRITE"
std::optional<AdapterType> adapterTypeFromName(QStringView name);

// Credential key → value (trimmed), read from ADAPTERS__<ADAPTER>__<SOURCE>__CREDENTIALS__<KEY>.
using Credentials = QMap<QString, QString>;

// What an adapter returns: a finished LIF part result (LIF_TO_LIF adapters), or the source's own
// JSON, which the job translates with the part's `translation` (PIPELINE_INTEGRATED adapters).
class AdapterOutput
{
public:
    enum class Kind { PartResult, SourceData };

    static AdapterOutput partResult(PartResult result);
    static AdapterOutput sourceData(QJsonValue data);

    Kind kind() const { return m_kind; }
    bool isPartResult() const { return m_kind == Kind::PartResult; }
    const PartResult &result() const { return m_result; } // for Kind::PartResult
    const QJsonValue &data() const { return m_data; } // for Kind::SourceData

    // Kind::PartResult → its JSON; Kind::SourceData → the data itself.
    QJsonValue toJson() const;

private:
    Kind m_kind = Kind::SourceData;
    PartResult m_result;
    QJsonValue m_data;
};

// What the caller lends an adapter for one run: logging into the step's events, cancellation, and
// the HTTP timeout to use. Every member may be left empty.
struct AdapterContext
{
    enum class Level { Debug, Info, Warning, Error };
    std::function<void(Level, const QString &)> log;
    std::function<bool()> isCanceled;
    std::chrono::milliseconds timeout { 30000 };

    // Never pass credentials or a person's data at Info level and above.
    void debug(const QString &message) const { write(Level::Debug, message); }
    void info(const QString &message) const { write(Level::Info, message); }
    void warning(const QString &message) const { write(Level::Warning, message); }
    bool canceled() const { return isCanceled && isCanceled(); }

private:
    void write(Level level, const QString &message) const
    {
        if (log)
            log(level, message);
    }
};

// Implementations are immutable after construction: run() is called from several threads at once.
class Adapter
{
public:
    virtual ~Adapter();

    virtual QString id() const = 0; // e.g. "lif-to-lif"; used in run config and credential names
    virtual AdapterType type() const = 0;
    virtual QStringList credentialKeys() const { return {}; } // e.g. {"host", "scheme", "token"}
    virtual QString description() const { return {}; }

    // Fetches the part's person from the source. Errors say what failed and where (status code and
    // URL for HTTP), never a credential; the job retries them under LIF's retry policy.
    virtual Result<AdapterOutput> run(const QueryPlanPart &part, const Credentials &credentials,
                                      const AdapterContext &context) const = 0;
};

} // namespace lifdag::adapters
