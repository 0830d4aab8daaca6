#include "lifdag/webui/webui.h"

#include <lifdag/http/message.h>
#include <lifdag/webserver/webserver.h>

#include <QCryptographicHash>
#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QHash>
#include <QMutex>
#include <memory>
#include <zlib.h>

namespace lifdag::webui {

namespace {

const QString kResourceRoot = QStringLiteral(":/lifdag/webui");
const QString kAssetPrefix = QStringLiteral("/ui/");
// Paths that belong to the server, not to the UI: unknown ones there stay JSON 404s.
const QStringList kServerPrefixes { QStringLiteral("/api"), QStringLiteral("/graphql"),
                                    QStringLiteral("/health"), QStringLiteral("/ready"),
                                    QStringLiteral("/metrics") };
// Scripts, styles and connections only from this server; no inline script, no framing.
const QByteArray kContentSecurityPolicy =
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

struct Asset
{
    QByteArray body;
    QByteArray gzip; // empty when compression does not pay
    QByteArray contentType;
    QByteArray etag; // quoted
};

struct Assets
{
    QHash<QString, Asset> files; // relative path ("pages/runs.js") -> file
    Asset index; // index.html with the version filled in
    QString version;
};

QByteArray contentType(const QString &name)
{
    if (name.endsWith(QLatin1StringView(".html")))
        return "text/html; charset=utf-8";
    if (name.endsWith(QLatin1StringView(".js")) || name.endsWith(QLatin1StringView(".mjs")))
        return "text/javascript; charset=utf-8";
    if (name.endsWith(QLatin1StringView(".css")))
        return "text/css; charset=utf-8";
    if (name.endsWith(QLatin1StringView(".svg")))
        return "image/svg+xml";
    if (name.endsWith(QLatin1StringView(".json")))
        return "application/json";
    if (name.endsWith(QLatin1StringView(".png")))
        return "image/png";
    return "application/octet-stream";
}

QByteArray gzip(const QByteArray &data)
{
    z_stream zs {};
    if (deflateInit2(&zs, 9, Z_DEFLATED, 15 + 16, 9, Z_DEFAULT_STRATEGY) != Z_OK)
        return {};
    QByteArray out(qsizetype(deflateBound(&zs, uLong(data.size()))) + 32, Qt::Uninitialized);
    zs.next_in = reinterpret_cast<Bytef *>(const_cast<char *>(data.constData()));
    zs.avail_in = uInt(data.size());
    zs.next_out = reinterpret_cast<Bytef *>(out.data());
    zs.avail_out = uInt(out.size());
    const int rc = deflate(&zs, Z_FINISH);
    const qsizetype written = qsizetype(zs.total_out);
    deflateEnd(&zs);
    if (rc != Z_STREAM_END)
        return {};
    out.truncate(written);
    return out;
}

Asset makeAsset(const QString &name, const QByteArray &body, bool compress)
{
    Asset a;
    a.body = body;
    a.contentType = contentType(name);
    a.etag = '"' + QCryptographicHash::hash(body, QCryptographicHash::Sha256).toHex().left(20) + '"';
    if (compress && body.size() > 512 && !name.endsWith(QLatin1StringView(".png"))) {
        QByteArray z = gzip(body);
        if (!z.isEmpty() && z.size() < body.size() * 9 / 10)
            a.gzip = std::move(z);
    }
    return a;
}

std::shared_ptr<const Assets> loadAssets(const QString &root, bool compress)
{
    auto assets = std::make_shared<Assets>();
    QMap<QString, QByteArray> contents; // sorted: the version does not depend on directory order
    QDirIterator it(root, QDir::Files, QDirIterator::Subdirectories);
    while (it.hasNext()) {
        const QString path = it.next();
        const QString name = QDir(root).relativeFilePath(path);
        if (name.endsWith(QLatin1StringView(".md")))
            continue;
        QFile f(path);
        if (f.open(QIODevice::ReadOnly))
            contents.insert(name, f.readAll());
    }
    QCryptographicHash hash(QCryptographicHash::Sha256);
    for (auto c = contents.cbegin(); c != contents.cend(); ++c) {
        hash.addData(c.key().toUtf8());
        hash.addData(QByteArrayView("\0", 1));
        hash.addData(c.value());
    }
    assets->version = QString::fromLatin1(hash.result().toHex().left(12));
    for (auto c = contents.cbegin(); c != contents.cend(); ++c)
        assets->files.insert(c.key(), makeAsset(c.key(), c.value(), compress));
    QByteArray index = contents.value(QStringLiteral("index.html"),
                                      "<!doctype html><title>lifdag</title><p>The web UI is missing.");
    index.replace("{{VERSION}}", assets->version.toLatin1());
    assets->index = makeAsset(QStringLiteral("index.html"), index, compress);
    return assets;
}

// The compiled-in files, loaded once; or, with LIFDAG_WEBUI_DIR set, the directory's files as they
// are now (for working on the UI without rebuilding).
std::shared_ptr<const Assets> assets()
{
    static const QString devDir = qEnvironmentVariable("LIFDAG_WEBUI_DIR");
    if (!devDir.isEmpty())
        return loadAssets(devDir, false);
    static const std::shared_ptr<const Assets> compiled = loadAssets(kResourceRoot, true);
    return compiled;
}

bool isServerPath(const QString &path)
{
    for (const QString &prefix : kServerPrefixes) {
        if (path == prefix || path.startsWith(prefix + QLatin1Char('/')))
            return true;
    }
    return false;
}

bool acceptsGzip(const http::Request &req)
{
    for (const http::Header &h : req.headers) {
        if (h.name != "accept-encoding")
            continue;
        for (const QByteArray &part : h.value.split(',')) {
            const QList<QByteArray> fields = part.trimmed().split(';');
            if (fields.first().trimmed().toLower() != "gzip")
                continue;
            // "gzip;q=0" refuses it
            return !(fields.size() > 1 && fields[1].trimmed().replace(' ', "") == "q=0");
        }
    }
    return false;
}

http::Response serve(const http::Request &req, const Asset &asset, const QByteArray &cacheControl)
{
    const bool compressed = !asset.gzip.isEmpty() && acceptsGzip(req);
    const QByteArray etag = compressed ? asset.etag.chopped(1) + "-gz\"" : asset.etag;
    http::Response r;
    r.setHeader("etag", etag);
    r.setHeader("cache-control", cacheControl);
    r.setHeader("vary", "Accept-Encoding");
    r.setHeader("x-content-type-options", "nosniff");
    const QByteArray ifNoneMatch = req.header("if-none-match");
    if (!ifNoneMatch.isEmpty() && (ifNoneMatch.contains(etag) || ifNoneMatch.trimmed() == "*")) {
        r.status = 304;
        return r;
    }
    r.setHeader("content-type", asset.contentType);
    if (compressed)
        r.setHeader("content-encoding", "gzip");
    r.body = compressed ? asset.gzip : asset.body;
    return r;
}

http::Response notFound(const http::Request &req)
{
    return http::Response::error(
        404, QStringLiteral("not_found"),
        QStringLiteral("no route for %1 %2").arg(QString::fromLatin1(req.method), req.path.left(200)));
}

} // namespace

QString version()
{
    return assets()->version;
}

http::Handler handler()
{
    return [](const http::Request &req) -> http::Response {
        if (isServerPath(req.path))
            return notFound(req);
        const std::shared_ptr<const Assets> a = assets();
        if (req.path.startsWith(kAssetPrefix)) {
            // /ui/<version>/<file>: immutable while <version> is this build's; other versions (a page
            // loaded before an upgrade) get today's file, revalidated.
            const qsizetype slash = req.path.indexOf(QLatin1Char('/'), kAssetPrefix.size());
            if (slash < 0)
                return notFound(req);
            const QString version = req.path.mid(kAssetPrefix.size(), slash - kAssetPrefix.size());
            const QString name = req.path.mid(slash + 1);
            const auto it = a->files.constFind(name);
            if (it == a->files.cend() || name == QLatin1StringView("index.html"))
                return notFound(req);
            return serve(req, *it,
                         version == a->version ? QByteArrayLiteral("public, max-age=31536000, immutable")
                                               : QByteArrayLiteral("no-cache"));
        }
        if (req.path == QLatin1StringView("/favicon.ico")) {
            const auto icon = a->files.constFind(QStringLiteral("favicon.svg"));
            return icon == a->files.cend() ? notFound(req) : serve(req, *icon, "public, max-age=86400");
        }
        // A path whose last segment names a file is a missing file, not a page of the UI.
        if (req.path.mid(req.path.lastIndexOf(QLatin1Char('/')) + 1).contains(QLatin1Char('.')))
            return notFound(req);
        http::Response r = serve(req, a->index, "no-cache");
        r.setHeader("content-security-policy", kContentSecurityPolicy);
        r.setHeader("referrer-policy", "no-referrer");
        r.setHeader("x-frame-options", "DENY");
        return r;
    };
}

void mount(webserver::WebServer &server)
{
    (void)assets(); // load (and compress) the files now, not on the first request
    server.mountFallback(handler());
}

} // namespace lifdag::webui
