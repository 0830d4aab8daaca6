#include "yamlreader_p.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QRegularExpression>

namespace lifdag::config::detail {

namespace {
QString q(const std::string &s)
{
    return QString::fromStdString(s);
}
} // namespace

YAML::Node loadDocument(const QByteArray &text, const QString &fileName)
{
    try {
        return YAML::Load(text.toStdString());
    } catch (const YAML::ParserException &e) {
        YamlNode::failAt(e.mark, fileName, QString(), QStringLiteral("invalid YAML: %1").arg(q(e.msg)),
                         QStringLiteral("config.syntax"));
    }
}

void YamlNode::failAt(const YAML::Mark &mark, const QString &file, const QString &path,
                      const QString &message, const QString &code)
{
    QString where = file;
    if (!mark.is_null())
        where += QStringLiteral(":%1:%2").arg(mark.line + 1).arg(mark.column + 1);
    QString text = where + QLatin1StringView(": ");
    if (!path.isEmpty())
        text += path + QLatin1StringView(": ");
    text += message;
    throw ConfigError(Error { code, text });
}

void YamlNode::fail(const QString &message, const QString &code) const
{
    failAt(m_node.IsDefined() ? m_node.Mark() : YAML::Mark::null_mark(), m_file, m_path, message, code);
}

QString YamlNode::childPath(const QString &key) const
{
    return m_path.isEmpty() ? key : m_path + QLatin1Char('.') + key;
}

QString YamlNode::describeFound() const
{
    if (isNull())
        return QStringLiteral("nothing");
    if (m_node.IsMap())
        return QStringLiteral("a mapping");
    if (m_node.IsSequence())
        return QStringLiteral("a list");
    return QLatin1Char('"') + q(m_node.Scalar()) + QLatin1Char('"');
}

bool YamlNode::isEnvReference() const
{
    return m_node.IsMap() && m_node.size() == 1 && m_node["env"].IsDefined();
}

void YamlNode::requireMap() const
{
    if (!m_node.IsMap())
        fail(QStringLiteral("expected a mapping, got %1").arg(describeFound()),
             QStringLiteral("config.type"));
}

void YamlNode::checkKeys(const QStringList &allowed) const
{
    requireMap();
    for (auto it = m_node.begin(); it != m_node.end(); ++it) {
        const QString key = q(it->first.as<std::string>());
        if (!allowed.contains(key)) {
            failAt(it->first.Mark(), m_file, childPath(key),
                   QStringLiteral("unknown key (expected one of: %1)")
                       .arg(allowed.join(QLatin1StringView(", "))),
                   QStringLiteral("config.unknown_key"));
        }
    }
}

std::optional<YamlNode> YamlNode::child(const QString &key) const
{
    if (!m_node.IsMap())
        return std::nullopt;
    const std::string k = key.toStdString();
    for (auto it = m_node.begin(); it != m_node.end(); ++it) {
        if (it->first.as<std::string>() == k) {
            if (!it->second.IsDefined() || it->second.IsNull())
                return std::nullopt;
            return YamlNode(it->second, m_file, childPath(key));
        }
    }
    return std::nullopt;
}

YamlNode YamlNode::required(const QString &key) const
{
    requireMap();
    if (auto c = child(key))
        return *c;
    fail(QStringLiteral("missing required key \"%1\"").arg(key), QStringLiteral("config.missing_key"));
}

QList<YamlNode> YamlNode::items() const
{
    if (!m_node.IsSequence())
        fail(QStringLiteral("expected a list, got %1").arg(describeFound()), QStringLiteral("config.type"));
    QList<YamlNode> out;
    int i = 0;
    for (const auto &item : m_node)
        out.append(YamlNode(item, m_file, m_path + QStringLiteral("[%1]").arg(i++)));
    return out;
}

QList<std::pair<QString, YamlNode>> YamlNode::entries() const
{
    requireMap();
    QList<std::pair<QString, YamlNode>> out;
    for (auto it = m_node.begin(); it != m_node.end(); ++it) {
        const QString key = q(it->first.as<std::string>());
        out.append({ key, YamlNode(it->second, m_file, childPath(key)) });
    }
    return out;
}

QString YamlNode::scalarText(const char *expected) const
{
    if (isEnvReference()) {
        const YAML::Node nameNode = m_node["env"];
        if (!nameNode.IsScalar())
            failAt(nameNode.Mark(), m_file, m_path, QStringLiteral("env: expected a variable name"),
                   QStringLiteral("config.type"));
        const QString name = q(nameNode.Scalar());
        if (!qEnvironmentVariableIsSet(name.toLocal8Bit().constData())) {
            failAt(nameNode.Mark(), m_file, m_path,
                   QStringLiteral("environment variable %1 is not set").arg(name),
                   QStringLiteral("config.env"));
        }
        return qEnvironmentVariable(name.toLocal8Bit().constData());
    }
    if (!m_node.IsScalar())
        fail(QStringLiteral("expected %1, got %2").arg(QLatin1StringView(expected), describeFound()),
             QStringLiteral("config.type"));
    return q(m_node.Scalar());
}

QString YamlNode::toString() const
{
    return scalarText("a string");
}

int YamlNode::toInt() const
{
    const QString text = scalarText("an integer").trimmed();
    bool ok = false;
    const int v = text.toInt(&ok);
    if (!ok)
        fail(QStringLiteral("expected an integer, got \"%1\"").arg(text), QStringLiteral("config.type"));
    return v;
}

double YamlNode::toDouble() const
{
    const QString text = scalarText("a number").trimmed();
    bool ok = false;
    const double v = text.toDouble(&ok);
    if (!ok)
        fail(QStringLiteral("expected a number, got \"%1\"").arg(text), QStringLiteral("config.type"));
    return v;
}

bool YamlNode::toBool() const
{
    const QString text = scalarText("a boolean").trimmed().toLower();
    if (text == QLatin1StringView("true") || text == QLatin1StringView("yes")
        || text == QLatin1StringView("on"))
        return true;
    if (text == QLatin1StringView("false") || text == QLatin1StringView("no")
        || text == QLatin1StringView("off"))
        return false;
    fail(QStringLiteral("expected a boolean (true or false), got \"%1\"").arg(text),
         QStringLiteral("config.type"));
}

QStringList YamlNode::toStringList() const
{
    if (m_node.IsScalar() || isEnvReference())
        return { toString() };
    QStringList out;
    for (const YamlNode &item : items())
        out.append(item.toString());
    return out;
}

QJsonValue YamlNode::toJson() const
{
    if (isNull())
        return QJsonValue::Null;
    if (isEnvReference())
        return toString();
    if (m_node.IsMap()) {
        QJsonObject o;
        for (const auto &[key, value] : entries())
            o.insert(key, value.toJson());
        return o;
    }
    if (m_node.IsSequence()) {
        QJsonArray a;
        for (const YamlNode &item : items())
            a.append(item.toJson());
        return a;
    }
    const QString text = q(m_node.Scalar());
    if (m_node.Tag() == "!") // quoted: always a string
        return text;
    static const QRegularExpression intRe(QStringLiteral(R"(^[-+]?[0-9]+$)"));
    static const QRegularExpression floatRe(
        QStringLiteral(R"(^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$)"));
    if (text == QLatin1StringView("true") || text == QLatin1StringView("false"))
        return text == QLatin1StringView("true");
    if (text == QLatin1StringView("null") || text == QLatin1StringView("~"))
        return QJsonValue::Null;
    if (intRe.match(text).hasMatch())
        return text.toLongLong();
    if (floatRe.match(text).hasMatch())
        return text.toDouble();
    return text;
}

} // namespace lifdag::config::detail
