// Test helper: a blocking HTTP/1.1 client on a raw QTcpSocket, so tests can send anything -
// malformed heads, partial requests, pipelined bytes - and read exactly what comes back.
#pragma once

#include <QElapsedTimer>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTcpSocket>
#include <QThread>
#include <optional>

namespace lifdag::test {

struct RawResponse
{
    int status = 0;
    QList<QPair<QByteArray, QByteArray>> headers; // names lower-case
    QByteArray body;

    QByteArray header(const QByteArray &name) const
    {
        for (const auto &h : headers) {
            if (h.first == name)
                return h.second;
        }
        return {};
    }
    QJsonObject json() const { return QJsonDocument::fromJson(body).object(); }
    QString errorCode() const { return json().value(u"error").toObject().value(u"code").toString(); }
};

class RawClient
{
public:
    bool connectTo(quint16 port, const QString &host = QStringLiteral("127.0.0.1"))
    {
        m_socket.connectToHost(host, port);
        return m_socket.waitForConnected(5000);
    }
    void send(const QByteArray &bytes)
    {
        m_socket.write(bytes);
        m_socket.waitForBytesWritten(5000);
    }
    // Reads one response; nullopt on timeout or when the server closed without answering.
    std::optional<RawResponse> read(int timeoutMs = 5000, bool headRequest = false)
    {
        QElapsedTimer t;
        t.start();
        while (t.elapsed() < timeoutMs) {
            if (auto r = tryParse(headRequest))
                return r;
            if (m_socket.state() != QAbstractSocket::ConnectedState && m_socket.bytesAvailable() == 0)
                return std::nullopt;
            if (m_socket.bytesAvailable() == 0)
                m_socket.waitForReadyRead(qMax<qint64>(1, qMin<qint64>(100, timeoutMs - t.elapsed())));
            m_buffer += m_socket.readAll();
        }
        return tryParse(headRequest);
    }
    std::optional<RawResponse> request(const QByteArray &bytes, int timeoutMs = 5000,
                                       bool headRequest = false)
    {
        send(bytes);
        return read(timeoutMs, headRequest);
    }
    // True when the server closes the connection within `timeoutMs` (bytes it sent are kept).
    bool waitClosed(int timeoutMs = 5000)
    {
        QElapsedTimer t;
        t.start();
        while (t.elapsed() < timeoutMs) {
            if (m_socket.state() == QAbstractSocket::UnconnectedState)
                return true;
            m_socket.waitForReadyRead(50);
            m_buffer += m_socket.readAll();
            if (m_socket.state() == QAbstractSocket::UnconnectedState
                || m_socket.state() == QAbstractSocket::ClosingState)
                return true;
        }
        return false;
    }
    bool isConnected() const { return m_socket.state() == QAbstractSocket::ConnectedState; }
    QTcpSocket &socket() { return m_socket; }
    QByteArray &buffer() { return m_buffer; }

private:
    std::optional<RawResponse> tryParse(bool headRequest)
    {
        m_buffer += m_socket.readAll();
        const qsizetype end = m_buffer.indexOf("\r\n\r\n");
        if (end < 0)
            return std::nullopt;
        RawResponse r;
        const QList<QByteArray> lines = m_buffer.left(end).split('\n');
        const QList<QByteArray> statusLine = lines.first().trimmed().split(' ');
        if (statusLine.size() < 2)
            return std::nullopt;
        r.status = statusLine.at(1).toInt();
        qint64 length = 0;
        for (qsizetype i = 1; i < lines.size(); ++i) {
            const QByteArray line = lines[i].trimmed();
            const qsizetype colon = line.indexOf(':');
            if (colon < 0)
                continue;
            const QByteArray name = line.left(colon).trimmed().toLower();
            const QByteArray value = line.mid(colon + 1).trimmed();
            r.headers.append({ name, value });
            if (name == "content-length")
                length = value.toLongLong();
        }
        if (headRequest || r.status == 204 || r.status == 304 || r.status < 200)
            length = 0;
        if (m_buffer.size() < end + 4 + length)
            return std::nullopt;
        r.body = m_buffer.mid(end + 4, length);
        m_buffer.remove(0, end + 4 + length);
        return r;
    }

    QTcpSocket m_socket;
    QByteArray m_buffer;
};

inline QByteArray getRequest(const QByteArray &target, const QByteArray &extraHeaders = {})
{
    return "GET " + target + " HTTP/1.1\r\nHost: test\r\n" + extraHeaders + "\r\n";
}

inline QByteArray bodyRequest(const QByteArray &method, const QByteArray &target, const QByteArray &body,
                              const QByteArray &extraHeaders = {})
{
    return method + ' ' + target
        + " HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\nContent-Length: "
        + QByteArray::number(body.size()) + "\r\n" + extraHeaders + "\r\n" + body;
}

} // namespace lifdag::test
