#include <lifdag/adapters/credentials.h>
#include <lifdag/adapters/declarative.h>
#include <lifdag/adapters/httpclient.h>
#include <lifdag/adapters/lifadapters.h>
#include <lifdag/jsonata/expression.h>

#include <QFile>
#include <QJsonDocument>
#include <QRegularExpression>
#include <QUrl>

#include <yaml-cpp/yaml.h>

using namespace Qt::StringLiterals;

namespace lifdag::adapters {

namespace {

// A template such as "{scheme}://{host}/users/{identifier}": literal text and placeholders.
struct Template
{
    struct Piece
    {
        bool placeholder = false;
        QString text; // literal text, or the placeholder's name
    };
    QList<Piece> pieces;
};

enum class Output { LifPerson, SourceData };

const QStringList kPartPlaceholders { u"identifier"_s, u"identifierType"_s, u"identifierTypeToken"_s,
                                      u"information_source_id"_s, u"adapter_id"_s };

// Thrown while parsing only; fromYaml turns it into an Error.
struct DefinitionError
{
    QString message;
};

QString q(const std::string &s)
{
    return QString::fromStdString(s);
}

class Reader
{
public:
    explicit Reader(QString file)
        : m_file(std::move(file))
    { }

    [[noreturn]] void fail(const YAML::Node &node, const QString &message) const
    {
        QString where = m_file;
        if (node.IsDefined() && !node.Mark().is_null())
            where +=
                u':' + QString::number(node.Mark().line + 1) + u':' + QString::number(node.Mark().column + 1);
        throw DefinitionError { where + u": "_s + message };
    }

    void checkKeys(const YAML::Node &map, const QString &path, const QStringList &allowed) const
    {
        if (!map.IsMap())
            fail(map, path + u": expected a mapping"_s);
        for (auto it = map.begin(); it != map.end(); ++it) {
            const QString key = q(it->first.as<std::string>());
            if (!allowed.contains(key))
                fail(it->first,
                     (path.isEmpty() ? key : path + u'.' + key) + u": unknown key (expected one of: "_s
                         + allowed.join(u", "_s) + u')');
        }
    }

    QString string(const YAML::Node &node, const QString &path, bool required) const
    {
        if (!node.IsDefined() || node.IsNull()) {
            if (required)
                fail(node, path + u": required"_s);
            return {};
        }
        if (!node.IsScalar())
            fail(node, path + u": expected text"_s);
        return q(node.Scalar());
    }

    Template parseTemplate(const YAML::Node &node, const QString &path,
                           const QStringList &credentialKeys) const
    {
        const QString text = string(node, path, true);
        Template t;
        QString literal;
        for (qsizetype i = 0; i < text.size(); ++i) {
            const QChar c = text[i];
            if ((c == u'{' || c == u'}') && i + 1 < text.size() && text[i + 1] == c) {
                literal += c; // "{{" and "}}" are literal braces
                ++i;
                continue;
            }
            if (c == u'}')
                fail(node,
                     path + u": unmatched '}' at character "_s + QString::number(i + 1)
                         + u" (write }} for a brace)"_s);
            if (c != u'{') {
                literal += c;
                continue;
            }
            const qsizetype end = text.indexOf(u'}', i + 1);
            if (end < 0)
                fail(node, path + u": unclosed '{' at character "_s + QString::number(i + 1));
            const QString name = text.mid(i + 1, end - i - 1);
            if (!kPartPlaceholders.contains(name) && !credentialKeys.contains(name))
                fail(node,
                     path + u": unknown placeholder {"_s + name + u"} (known: "_s
                         + QStringList(kPartPlaceholders + credentialKeys).join(u", "_s) + u')');
            if (!literal.isEmpty())
                t.pieces.append({ false, literal });
            literal.clear();
            t.pieces.append({ true, name });
            i = end;
        }
        if (!literal.isEmpty())
            t.pieces.append({ false, literal });
        return t;
    }

    jsonata::Expression expression(const YAML::Node &node, const QString &path) const
    {
        const QString text = string(node, path, true);
        auto compiled = jsonata::Expression::compile(text);
        if (!compiled)
            fail(node, path + u": JSONata does not compile: "_s + compiled.error().toString());
        return compiled.value();
    }

private:
    QString m_file;
};

} // namespace

struct DeclarativeHttpAdapter::Definition
{
    QString file;
    QString id;
    AdapterType type = AdapterType::PipelineIntegrated;
    QString description;
    QStringList credentialKeys;
    QMap<QString, QString> defaults;
    QByteArray method = "GET";
    Template url;
    QList<std::pair<QByteArray, Template>> headers;
    std::optional<jsonata::Expression> body;
    std::optional<std::chrono::milliseconds> timeout; // unset: the caller's
    Output output = Output::SourceData;
    std::optional<jsonata::Expression> shape;
};

DeclarativeHttpAdapter::DeclarativeHttpAdapter(std::unique_ptr<const Definition> definition)
    : m_definition(std::move(definition))
{ }

DeclarativeHttpAdapter::~DeclarativeHttpAdapter() = default;

QString DeclarativeHttpAdapter::id() const
{
    return m_definition->id;
}

AdapterType DeclarativeHttpAdapter::type() const
{
    return m_definition->type;
}

QStringList DeclarativeHttpAdapter::credentialKeys() const
{
    return m_definition->credentialKeys;
}

QString DeclarativeHttpAdapter::description() const
{
    return m_definition->description;
}

Result<std::shared_ptr<DeclarativeHttpAdapter>> DeclarativeHttpAdapter::fromFile(const QString &path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return Error { u"adapters.definition"_s, path + u": cannot read: "_s + f.errorString() };
    return fromYaml(f.readAll(), path);
}

Result<std::shared_ptr<DeclarativeHttpAdapter>> DeclarativeHttpAdapter::fromYaml(const QByteArray &yaml,
                                                                                 const QString &fileName)
{
    const Reader r(fileName);
    auto d = std::make_unique<Definition>();
    d->file = fileName;
    try {
        YAML::Node root;
        try {
            root = YAML::Load(yaml.toStdString());
        } catch (const YAML::ParserException &e) {
            throw DefinitionError { fileName + u':' + QString::number(e.mark.line + 1) + u':'
                                    + QString::number(e.mark.column + 1) + u": invalid YAML: "_s + q(e.msg) };
        }
        r.checkKeys(root, {},
                    { u"adapter_id"_s, u"adapter_type"_s, u"description"_s, u"credential_keys"_s,
                      u"defaults"_s, u"request"_s, u"response"_s });
        d->id = r.string(root["adapter_id"], u"adapter_id"_s, true);
        static const QRegularExpression idPattern(u"^[A-Za-z0-9][A-Za-z0-9_-]*$"_s);
        if (!idPattern.match(d->id).hasMatch())
            r.fail(root["adapter_id"],
                   u"adapter_id: use letters, digits, '-' and '_' (it is part of variable names)"_s);
        const QString type = r.string(root["adapter_type"], u"adapter_type"_s, true);
        const auto parsedType = adapterTypeFromName(type);
        if (!parsedType)
            r.fail(root["adapter_type"],
                   u"adapter_type: expected LIF_TO_LIF, STANDALONE, PIPELINE_INTEGRATED or AI_WRITE, got "_s
                       + type);
        d->type = *parsedType;
        d->description = r.string(root["description"], u"description"_s, false);
        if (const YAML::Node keys = root["credential_keys"]; keys.IsDefined() && !keys.IsNull()) {
            if (!keys.IsSequence())
                r.fail(keys, u"credential_keys: expected a list of names"_s);
            for (const YAML::Node &k : keys) {
                const QString key = r.string(k, u"credential_keys[]"_s, true);
                if (kPartPlaceholders.contains(key))
                    r.fail(k, u"credential_keys: '"_s + key + u"' is a reserved placeholder name"_s);
                d->credentialKeys.append(key);
            }
        }
        if (const YAML::Node defaults = root["defaults"]; defaults.IsDefined() && !defaults.IsNull()) {
            r.checkKeys(defaults, u"defaults"_s, d->credentialKeys);
            for (auto it = defaults.begin(); it != defaults.end(); ++it)
                d->defaults.insert(
                    q(it->first.as<std::string>()),
                    r.string(it->second, u"defaults."_s + q(it->first.as<std::string>()), true));
        }

        const YAML::Node request = root["request"];
        if (!request.IsDefined())
            r.fail(root, u"request: required"_s);
        r.checkKeys(request, u"request"_s,
                    { u"method"_s, u"url"_s, u"headers"_s, u"body"_s, u"timeout_seconds"_s });
        if (request["method"].IsDefined()) {
            const QString method = r.string(request["method"], u"request.method"_s, true).toUpper();
            static const QRegularExpression token(u"^[A-Z]+$"_s);
            if (!token.match(method).hasMatch())
                r.fail(request["method"], u"request.method: expected an HTTP method such as GET or POST"_s);
            d->method = method.toLatin1();
        }
        d->url = r.parseTemplate(request["url"], u"request.url"_s, d->credentialKeys);
        if (const YAML::Node headers = request["headers"]; headers.IsDefined() && !headers.IsNull()) {
            if (!headers.IsMap())
                r.fail(headers, u"request.headers: expected a mapping of header name to value template"_s);
            for (auto it = headers.begin(); it != headers.end(); ++it) {
                const QString name = q(it->first.as<std::string>());
                d->headers.append(
                    { name.toLatin1(),
                      r.parseTemplate(it->second, u"request.headers."_s + name, d->credentialKeys) });
            }
        }
        if (request["body"].IsDefined() && !request["body"].IsNull())
            d->body = r.expression(request["body"], u"request.body"_s);
        if (const YAML::Node t = request["timeout_seconds"]; t.IsDefined()) {
            bool ok = false;
            const double seconds = r.string(t, u"request.timeout_seconds"_s, true).toDouble(&ok);
            if (!ok || seconds <= 0)
                r.fail(t, u"request.timeout_seconds: expected a positive number"_s);
            d->timeout = std::chrono::milliseconds(qint64(seconds * 1000));
        }

        d->output = d->type == AdapterType::LifToLif ? Output::LifPerson : Output::SourceData;
        if (const YAML::Node response = root["response"]; response.IsDefined() && !response.IsNull()) {
            r.checkKeys(response, u"response"_s, { u"output"_s, u"expression"_s });
            if (response["output"].IsDefined()) {
                const QString output = r.string(response["output"], u"response.output"_s, true);
                if (output == u"lif_person"_s)
                    d->output = Output::LifPerson;
                else if (output == u"source_data"_s)
                    d->output = Output::SourceData;
                else
                    r.fail(response["output"],
                           u"response.output: expected lif_person or source_data, got "_s + output);
            }
            if (response["expression"].IsDefined() && !response["expression"].IsNull())
                d->shape = r.expression(response["expression"], u"response.expression"_s);
        }
    } catch (const DefinitionError &e) {
        return Error { u"adapters.definition"_s, e.message };
    } catch (const YAML::Exception &e) {
        return Error { u"adapters.definition"_s, fileName + u": "_s + q(e.what()) };
    }
    return std::make_shared<DeclarativeHttpAdapter>(std::move(d));
}

Result<AdapterOutput> DeclarativeHttpAdapter::run(const QueryPlanPart &part, const Credentials &credentials,
                                                  const AdapterContext &context) const
{
    const Definition &d = *m_definition;
    // Placeholder → value; `encode` percent-encodes values that come from the part (URLs only).
    auto expand = [&](const Template &t, bool encode) -> Result<QString> {
        QString out;
        for (const Template::Piece &piece : t.pieces) {
            if (!piece.placeholder) {
                out += piece.text;
                continue;
            }
            QString value;
            bool fromPart = true;
            if (piece.text == u"identifier"_s)
                value = part.personId.identifier;
            else if (piece.text == u"identifierType"_s)
                value = part.personId.identifierType;
            else if (piece.text == u"identifierTypeToken"_s)
                value = identifierTypeToken(part.personId.identifierType);
            else if (piece.text == u"information_source_id"_s)
                value = part.informationSourceId;
            else if (piece.text == u"adapter_id"_s)
                value = part.adapterId;
            else {
                fromPart = false;
                value = credentials.value(piece.text);
                if (value.isEmpty())
                    value = d.defaults.value(piece.text);
                if (value.isEmpty())
                    return Error { u"adapters.credentials"_s,
                                   u"adapter '"_s + d.id + u"' needs credential '"_s + piece.text
                                       + u"' for source '"_s + part.informationSourceId + u"': set "_s
                                       + credentialVariableName(d.id, part.informationSourceId, piece.text) };
            }
            out += encode && fromPart ? QString::fromLatin1(QUrl::toPercentEncoding(value)) : value;
        }
        return out;
    };

    const auto urlText = expand(d.url, true);
    if (!urlText)
        return urlText.error();
    const QUrl url(*urlText, QUrl::StrictMode);
    if (!url.isValid() || url.host().isEmpty() || (url.scheme() != u"http"_s && url.scheme() != u"https"_s))
        return Error { u"adapters.url"_s,
                       u"adapter '"_s + d.id + u"' built an invalid http(s) URL: "_s + http::displayUrl(url)
                           + u" ("_s + d.file + u')' };
    http::Request request;
    request.method = d.method;
    request.url = url;
    request.timeout = d.timeout.value_or(context.timeout);
    request.headers.append({ "User-Agent", "LIF-Adapter-" + d.id.toUtf8() });
    for (const auto &[name, value] : d.headers) {
        const auto text = expand(value, false);
        if (!text)
            return text.error();
        if (text->contains(u'\n') || text->contains(u'\r'))
            return Error { u"adapters.header"_s,
                           u"adapter '"_s + d.id + u"': header "_s + QString::fromLatin1(name)
                               + u" would contain a line break"_s };
        request.headers.append({ name, text->trimmed().toUtf8() });
    }
    const QJsonObject partJson = part.toJson();
    jsonata::EvaluateOptions options;
    options.bindings.emplace_back(u"part"_s, jsonata::Value::fromQJsonValue(partJson));
    options.timeLimitMs = 5000;
    if (d.body) {
        const auto body = d.body->evaluate(QJsonValue(partJson), options);
        if (!body)
            return Error { u"adapters.jsonata"_s,
                           u"adapter '"_s + d.id + u"': request.body: "_s + body.error().toString() };
        const auto text = body.value().toJson();
        if (!text)
            return text.error();
        request.body = *text;
        request.headers.append({ QByteArray("Content-Type"), QByteArray("application/json") });
    }

    const http::Response response = http::send(request, context.isCanceled);
    context.debug(http::describeExchange(request, response));
    if (!response.isSuccess())
        return http::failure(request, response);

    QJsonValue answer(QJsonValue::Null);
    if (!response.body.trimmed().isEmpty()) {
        auto parsed = jsonata::Value::fromJson(response.body);
        if (!parsed)
            return Error { u"adapters.answer"_s,
                           QString::fromLatin1(request.method) + u' ' + http::displayUrl(url)
                               + u" answered with text that is not JSON: "_s + parsed.error().message };
        answer = parsed->toQJsonValue();
    }
    QJsonValue shaped = answer;
    if (d.shape) {
        const auto result = d.shape->evaluate(answer, options);
        if (!result)
            return Error { u"adapters.jsonata"_s,
                           u"adapter '"_s + d.id + u"': response.expression: "_s
                               + result.error().toString() };
        if (result.value().isUndefined())
            return Error { u"adapters.jsonata"_s,
                           u"adapter '"_s + d.id
                               + u"': response.expression produced nothing for this answer"_s };
        shaped = result.value().toQJsonValue();
    }
    if (d.output == Output::SourceData)
        return AdapterOutput::sourceData(shaped);
    if (!shaped.isObject())
        return Error { u"adapters.answer"_s,
                       u"adapter '"_s + d.id
                           + u"': the shaped answer is not an object (a LIF person document "
                             "such as {\"person\": [...]})"_s };
    PartResult result;
    result.informationSourceId = part.informationSourceId;
    result.adapterId = part.adapterId;
    result.dataTimestamp = pythonUtcNowIsoformat();
    result.personId = part.personId;
    result.fragments = { Fragment { QString(kPersonAllPath), QJsonArray { shaped } } };
    return AdapterOutput::partResult(std::move(result));
}

} // namespace lifdag::adapters
