// Run config as YAML: Dagster shows runConfigYaml (PyYAML's block style) and accepts
// runConfigData as a YAML string.
#include "api_p.h"

#include <QRegularExpression>

#include <yaml-cpp/yaml.h>

#include <cmath>

namespace lifdag::graphqlapi::detail {

namespace {

constexpr int kMaxDepth = 128;

// PyYAML's safe_load typing of plain (unquoted) scalars.
QJsonValue plainScalar(const std::string &raw)
{
    const QString s = QString::fromStdString(raw);
    static const QRegularExpression nullRe(QStringLiteral("^(~|null|Null|NULL|)$"));
    static const QRegularExpression trueRe(QStringLiteral("^(y|Y|yes|Yes|YES|true|True|TRUE|on|On|ON)$"));
    static const QRegularExpression falseRe(QStringLiteral("^(n|N|no|No|NO|false|False|FALSE|off|Off|OFF)$"));
    static const QRegularExpression intRe(QStringLiteral("^[-+]?(0|[1-9][0-9_]*)$"));
    static const QRegularExpression floatRe(QStringLiteral(
        "^[-+]?([0-9][0-9_]*)?\\.[0-9_]*([eE][-+]?[0-9]+)?$|^[-+]?[0-9][0-9_]*[eE][-+]?[0-9]+$"));
    if (nullRe.match(s).hasMatch())
        return QJsonValue(QJsonValue::Null);
    if (s.size() > 1 || s == QLatin1StringView("y") || s == QLatin1StringView("n")
        || s == QLatin1StringView("Y") || s == QLatin1StringView("N")) {
        // PyYAML 1.1 booleans (single letters are strings in PyYAML; keep it so)
        if (s.size() > 1 && trueRe.match(s).hasMatch())
            return QJsonValue(true);
        if (s.size() > 1 && falseRe.match(s).hasMatch())
            return QJsonValue(false);
    }
    if (intRe.match(s).hasMatch()) {
        bool ok = false;
        const qint64 i = QString(s).remove(QLatin1Char('_')).toLongLong(&ok);
        if (ok)
            return QJsonValue(i);
    }
    if (floatRe.match(s).hasMatch() && s != QLatin1StringView(".")) {
        bool ok = false;
        const double d = QString(s).remove(QLatin1Char('_')).toDouble(&ok);
        if (ok)
            return QJsonValue(d);
    }
    return QJsonValue(s);
}

QJsonValue toJson(const YAML::Node &node, int depth)
{
    if (depth > kMaxDepth)
        throw std::runtime_error("the YAML nests too deeply");
    switch (node.Type()) {
    case YAML::NodeType::Map: {
        QJsonObject o;
        for (const auto &kv : node)
            o.insert(QString::fromStdString(kv.first.as<std::string>()), toJson(kv.second, depth + 1));
        return o;
    }
    case YAML::NodeType::Sequence: {
        QJsonArray a;
        for (const auto &item : node)
            a.append(toJson(item, depth + 1));
        return a;
    }
    case YAML::NodeType::Scalar:
        if (node.Tag() == "!")
            return QJsonValue(QString::fromStdString(node.Scalar())); // quoted
        return plainScalar(node.Scalar());
    default:
        return QJsonValue(QJsonValue::Null);
    }
}

void emit(YAML::Emitter &out, const QJsonValue &v)
{
    switch (v.type()) {
    case QJsonValue::Object: {
        const QJsonObject o = v.toObject();
        if (o.isEmpty()) {
            out << YAML::Flow << YAML::BeginMap << YAML::EndMap;
            return;
        }
        out << YAML::BeginMap;
        for (auto it = o.begin(); it != o.end(); ++it) {
            out << YAML::Key << it.key().toStdString() << YAML::Value;
            emit(out, it.value());
        }
        out << YAML::EndMap;
        return;
    }
    case QJsonValue::Array: {
        const QJsonArray a = v.toArray();
        if (a.isEmpty()) {
            out << YAML::Flow << YAML::BeginSeq << YAML::EndSeq;
            return;
        }
        out << YAML::BeginSeq;
        for (const QJsonValue &item : a)
            emit(out, item);
        out << YAML::EndSeq;
        return;
    }
    case QJsonValue::Bool:
        out << (v.toBool() ? "true" : "false");
        return;
    case QJsonValue::Double: {
        const double d = v.toDouble();
        if (d == std::floor(d) && std::fabs(d) < 9007199254740992.0)
            out << qint64(d);
        else
            out << QByteArray::number(d, 'g', 17).toStdString();
        return;
    }
    case QJsonValue::String: {
        const std::string s = v.toString().toStdString();
        // Strings YAML would read as something else are quoted.
        if (plainScalar(s).isString() && !s.empty())
            out << s;
        else
            out << YAML::SingleQuoted << s;
        return;
    }
    default:
        out << YAML::Null;
    }
}

} // namespace

QString toYaml(const QJsonValue &value)
{
    YAML::Emitter out;
    out.SetIndent(2);
    out.SetNullFormat(YAML::LowerNull);
    emit(out, value);
    return QString::fromUtf8(out.c_str()) + QLatin1Char('\n');
}

Result<QJsonValue> fromYaml(const QString &text)
{
    try {
        const YAML::Node node = YAML::Load(text.toStdString());
        return toJson(node, 0);
    } catch (const YAML::Exception &e) {
        return Error { QStringLiteral("graphqlapi.yaml"),
                       QStringLiteral("runConfigData is not valid YAML: %1 (line %2, column %3)")
                           .arg(QString::fromStdString(e.msg))
                           .arg(e.mark.line + 1)
                           .arg(e.mark.column + 1) };
    } catch (const std::exception &e) {
        return Error { QStringLiteral("graphqlapi.yaml"),
                       QStringLiteral("runConfigData: %1").arg(QString::fromUtf8(e.what())) };
    }
}

} // namespace lifdag::graphqlapi::detail
