// The in-process translator: compiled translations per (source, target) pair, cached with a TTL.
#pragma once

#include <lifdag/core/result.h>
#include <lifdag/transform/mappingsource.h>
#include <lifdag/transform/translation.h>

#include <QJsonObject>

#include <chrono>
#include <memory>

namespace lifdag::transform {

struct TransformerOptions
{
    // How long a loaded translation is fresh. After that the next translate() serves it while a
    // reload runs (in the background when `backgroundRefresh`, else before answering). A failed
    // reload (e.g. an MDR outage) keeps serving the cached version and logs that it does.
    std::chrono::milliseconds ttl { std::chrono::minutes(5) };
    bool backgroundRefresh = true;
};

// Thread-safe: call translate() from any number of worker threads. Loading blocks the caller
// (HTTP to the MDR), so do not call it on a thread whose event loop serves other work.
class Transformer
{
public:
    explicit Transformer(std::shared_ptr<MappingSource> source, TransformerOptions options = {});
    ~Transformer(); // waits for background refreshes
    Transformer(const Transformer &) = delete;
    Transformer &operator=(const Transformer &) = delete;

    Result<QJsonObject> translate(const QString &sourceId, const QString &targetId, const QJsonObject &input,
                                  TranslationReport *report = nullptr);

    // The cached (or freshly loaded) translation for the pair.
    Result<Translation> translation(const QString &sourceId, const QString &targetId);
    // Reloads the pair now; on failure the cached version stays (and the error is returned).
    Status refresh(const QString &sourceId, const QString &targetId);
    // Blocks until running background refreshes are done (tests, shutdown).
    void waitForRefreshes();

    MappingSource &source() { return *m_source; }

private:
    struct State;
    std::shared_ptr<MappingSource> m_source;
    std::shared_ptr<State> m_state;
};

} // namespace lifdag::transform
