// A small Docker Engine API client: HTTP/1.1 over the engine's Unix socket (no docker CLI).
#pragma once

#include <lifdag/core/result.h>

#include <QByteArray>
#include <QJsonDocument>
#include <QList>
#include <QPair>
#include <QProcessEnvironment>
#include <QString>
#include <chrono>

namespace lifdag::launcher {

struct HttpResponse
{
    int status = 0;
    QByteArray reason;
    QList<QPair<QByteArray, QByteArray>> headers; // names as sent
    QByteArray body; // de-chunked

    QByteArray header(QByteArrayView name) const; // case-insensitive; empty when absent
    QJsonDocument json() const; // null when the body is not JSON
};

// Incremental parser of one HTTP/1.1 response: bodies framed by Content-Length, chunked
// transfer encoding (extensions and trailers allowed) or the end of the connection.
class HttpResponseParser
{
public:
    enum class State { NeedMore, Done, Failed };

    explicit HttpResponseParser(bool headRequest = false);

    State feed(QByteArrayView data);
    State finish(); // the peer closed the connection
    State state() const { return m_state; }
    const HttpResponse &response() const { return m_response; }
    const QString &error() const { return m_error; }

private:
    enum class Phase { StatusLine, Headers, Body, ChunkSize, ChunkData, ChunkDataEnd, Trailers, UntilClose };
    State fail(const QString &message);
    State parse();
    bool takeLine(QByteArray *line); // false when no complete line is buffered
    State startBody();

    bool m_head = false;
    Phase m_phase = Phase::StatusLine;
    State m_state = State::NeedMore;
    QByteArray m_buffer;
    qsizetype m_pos = 0;
    qint64 m_remaining = 0; // of the body or the current chunk
    HttpResponse m_response;
    QString m_error;
};

class DockerClient
{
public:
    static constexpr QLatin1StringView kApiVersion { "v1.41" };

    // `socketPath` is the engine's Unix socket; each request has `timeout` unless it names its own.
    explicit DockerClient(QString socketPath, std::chrono::milliseconds timeout = std::chrono::seconds(30));

    // The socket named by DOCKER_HOST (unix:///path) or the default /var/run/docker.sock;
    // an error for other schemes (tcp://, ssh://), which this client does not speak.
    static Result<QString> socketPath(const QProcessEnvironment &environment);

    const QString &socket() const { return m_socket; }
    QString endpoint() const { return QStringLiteral("unix://") + m_socket; }

    // One request on a fresh connection. `path` starts with "/" and is prefixed with the API
    // version ("/containers/json" → "/v1.41/containers/json"); `query` is already encoded.
    // Returns every HTTP answer (check status); an Error only when the engine could not be asked:
    // socket missing ("docker.socket"), connection refused, timeout, malformed answer ("docker.io").
    Result<HttpResponse> request(const QByteArray &method, const QString &path, const QByteArray &body = {},
                                 const QList<QPair<QByteArray, QByteArray>> &headers = {},
                                 std::chrono::milliseconds timeout = std::chrono::milliseconds(0)) const;
    Result<HttpResponse> get(const QString &path) const { return request("GET", path); }
    Result<HttpResponse> postJson(const QString &path, const QJsonDocument &body,
                                  std::chrono::milliseconds timeout = std::chrono::milliseconds(0)) const;

    // The engine's own words from an error response: its JSON "message", else the body's text.
    static QString engineMessage(const HttpResponse &response);
    // The first error of a streamed progress answer (image pull): {"error": …} lines; empty if none.
    static QString streamError(const QByteArray &body);

private:
    QString m_socket;
    std::chrono::milliseconds m_timeout;
};

} // namespace lifdag::launcher
