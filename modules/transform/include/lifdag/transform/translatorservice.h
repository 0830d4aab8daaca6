// LIF's translator HTTP API over a Transformer: POST /translate/source/{source_id}/target/{target_id}.
#pragma once

#include <lifdag/transform/transformer.h>

#include <QHostAddress>
#include <QObject>

#include <memory>

class QHttpServer;
class QThreadPool;

namespace lifdag::transform {

struct TranslatorServiceOptions
{
    QString bearerToken; // when set, requests need "Authorization: Bearer <token>"
    qint64 maxBodyBytes = 10 * 1024 * 1024;
    int workerThreads = 4; // translations run here, never on the server's event loop
};

// Answers: 200 translated JSON; 400 body not a JSON object; 401 missing/wrong token; 404 unknown
// pair; 413 body too large; 422 record does not conform to the source schema; 500 result does not
// conform; 502 MDR unavailable. Errors are JSON {"detail": message, "code": code}.
class TranslatorService : public QObject
{
public:
    TranslatorService(std::shared_ptr<Transformer> transformer, TranslatorServiceOptions options,
                      QObject *parent = nullptr);
    ~TranslatorService() override;

    // Returns the bound port (useful with port 0) or 0 with `error` set.
    quint16 listen(const QHostAddress &address, quint16 port, QString *error = nullptr);

private:
    std::shared_ptr<Transformer> m_transformer;
    TranslatorServiceOptions m_options;
    std::unique_ptr<QThreadPool> m_pool;
    std::unique_ptr<QHttpServer> m_server;
};

} // namespace lifdag::transform
