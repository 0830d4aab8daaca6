// HTTP/1.1 requests and responses as the server hands them to handlers and takes them back.
#pragma once

#include <QByteArray>
#include <QHostAddress>
#include <QJsonObject>
#include <QJsonValue>
#include <QList>
#include <QMap>
#include <QString>
#include <QStringList>
#include <QUrlQuery>

namespace lifdag::http {

struct Header
{
    QByteArray name; // lower-case
    QByteArray value;
};

struct Request
{
    QByteArray method; // upper-case token, e.g. "GET"
    QByteArray target; // the raw request-target ("/api/v1/runs?limit=5")
    QString path; // percent-decoded path, valid UTF-8
    QUrlQuery query; // from the raw query string; values decode with QUrl::FullyDecoded
    QList<Header> headers;
    QByteArray body;
    QHostAddress peerAddress;
    quint16 peerPort = 0;
    QString requestId; // also sent back as X-Request-Id
    QMap<QString, QString> pathParams; // set by the router ("{runId}" → value)

    // The first value of a header (name compared case-insensitively); empty when absent.
    QByteArray header(QByteArrayView name) const;
    bool hasHeader(QByteArrayView name) const;
    // One query parameter (fully decoded); `fallback` when absent.
    QString queryValue(const QString &key, const QString &fallback = {}) const;
    QStringList queryValues(const QString &key) const;
    bool hasQuery(const QString &key) const { return query.hasQueryItem(key); }
};

struct Response
{
    int status = 200;
    QList<Header> headers;
    QByteArray body;
    // Who made the request (e.g. "admin:ci-token"), for the access log only; never a credential.
    QString user;

    void setHeader(const QByteArray &name, const QByteArray &value); // replaces; name any case
    QByteArray header(QByteArrayView name) const;

    static Response json(int status, const QJsonValue &value);
    static Response rawJson(int status, QByteArray json);
    // {"error":{"code":…,"message":…, …details}}; `code` is stable and machine-readable.
    static Response error(int status, const QString &code, const QString &message,
                          const QJsonObject &details = {});
    static Response text(int status, QByteArray body,
                         const QByteArray &contentType = "text/plain; charset=utf-8");
    static Response noContent();
};

// The standard reason phrase ("Not Found"), or "Unknown".
QByteArray reasonPhrase(int status);

// True when `bytes` is well-formed UTF-8 (no overlong forms, surrogates or code points > U+10FFFF).
bool isValidUtf8(QByteArrayView bytes);

} // namespace lifdag::http
