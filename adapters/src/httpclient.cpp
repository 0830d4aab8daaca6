#include <lifdag/adapters/httpclient.h>

#include <lifdag/core/redaction.h>

#include <QElapsedTimer>
#include <QEventLoop>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QThreadStorage>
#include <QTimer>

using namespace Qt::StringLiterals;

namespace lifdag::adapters::http {

namespace {

// One manager per thread: its connection cache keeps connections to a host alive between calls
// (QNetworkAccessManager is not thread-safe, so threads cannot share one). Deleted at thread exit.
QNetworkAccessManager *threadManager()
{
    static QThreadStorage<QNetworkAccessManager *> managers;
    if (!managers.hasLocalData())
        managers.setLocalData(new QNetworkAccessManager);
    return managers.localData();
}

constexpr int kBodyExcerpt = 300;

} // namespace

QByteArray Response::header(QByteArrayView name) const
{
    for (const auto &[key, value] : headers) {
        if (key.compare(name, Qt::CaseInsensitive) == 0)
            return value;
    }
    return {};
}

Response send(const Request &request, const std::function<bool()> &canceled)
{
    QElapsedTimer timer;
    timer.start();
    Response response;
    QNetworkAccessManager *manager = threadManager();
    QNetworkRequest r(request.url);
    for (const auto &[name, value] : request.headers)
        r.setRawHeader(name, value);
    r.setAttribute(QNetworkRequest::RedirectPolicyAttribute, QNetworkRequest::NoLessSafeRedirectPolicy);
    const int timeoutMs = int(std::max<qint64>(1, request.timeout.count()));
    r.setTransferTimeout(timeoutMs);

    QNetworkReply *reply = nullptr;
    if (request.method == "GET")
        reply = manager->get(r);
    else if (request.method == "POST")
        reply = manager->post(r, request.body);
    else if (request.method == "PUT")
        reply = manager->put(r, request.body);
    else
        reply = manager->sendCustomRequest(r, request.method, request.body);

    bool timedOut = false;
    bool wasCanceled = false;
    if (!reply->isFinished()) {
        QEventLoop loop;
        QObject::connect(reply, &QNetworkReply::finished, &loop, &QEventLoop::quit);
        QTimer deadline;
        deadline.setSingleShot(true);
        QObject::connect(&deadline, &QTimer::timeout, reply, [&] {
            timedOut = true;
            reply->abort();
        });
        deadline.start(timeoutMs);
        QTimer poll;
        if (canceled) {
            QObject::connect(&poll, &QTimer::timeout, reply, [&] {
                if (canceled()) {
                    wasCanceled = true;
                    reply->abort();
                }
            });
            poll.start(50);
        }
        loop.exec(QEventLoop::ExcludeUserInputEvents);
    }

    const QVariant status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute);
    response.status = status.isValid() ? status.toInt() : 0;
    response.reason = reply->attribute(QNetworkRequest::HttpReasonPhraseAttribute).toString();
    for (const auto &[name, value] : reply->rawHeaderPairs())
        response.headers.append({ name, value });
    response.body = reply->readAll();
    if (timedOut)
        response.transportError = u"timed out after "_s + QString::number(timeoutMs) + u" ms"_s;
    else if (wasCanceled)
        response.transportError = u"canceled (the run is being canceled)"_s;
    else if (response.status == 0)
        response.transportError = reply->error() == QNetworkReply::OperationCanceledError
            ? u"timed out after "_s + QString::number(timeoutMs) + u" ms"_s
            : reply->errorString();
    if (timedOut || wasCanceled)
        response.status = 0;
    delete reply;
    response.elapsedUs = timer.nsecsElapsed() / 1000;
    return response;
}

QString displayUrl(const QUrl &url)
{
    return url.toDisplayString(QUrl::RemoveUserInfo | QUrl::RemoveQuery | QUrl::RemoveFragment);
}

Error failure(const Request &request, const Response &response)
{
    const QString what = QString::fromLatin1(request.method) + u' ' + displayUrl(request.url);
    if (response.status == 0)
        return Error { u"http.transport"_s,
                       redaction::redact(what + u" failed: "_s + response.transportError) };
    QString message = what + u" answered HTTP "_s + QString::number(response.status);
    if (!response.reason.isEmpty())
        message += u" ("_s + response.reason + u')';
    const QString body = QString::fromUtf8(response.body).simplified();
    if (!body.isEmpty()) {
        message += u": "_s + body.left(kBodyExcerpt);
        if (body.size() > kBodyExcerpt)
            message += u"…"_s;
    }
    return Error { u"http.status"_s, redaction::redact(message) };
}

QString describeExchange(const Request &request, const Response &response)
{
    QString line = QString::fromLatin1(request.method) + u' ' + displayUrl(request.url) + u" → "_s;
    line += response.status ? QString::number(response.status) : response.transportError;
    line += u" in "_s + QString::number(double(response.elapsedUs) / 1000.0, 'f', 1) + u" ms"_s;
    if (response.status)
        line += u" ("_s + QString::number(response.body.size()) + u" bytes)"_s;
    return line;
}

} // namespace lifdag::adapters::http
