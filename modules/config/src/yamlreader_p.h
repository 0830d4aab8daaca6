// Private: a yaml-cpp node with its key path and file, and typed accessors whose errors name
// file:line:col and the key path. Errors are thrown as ConfigError inside this module only and
// turned into lifdag::Error at the public entry points.
#pragma once

#include <lifdag/core/result.h>

#include <QJsonValue>
#include <QString>
#include <QStringList>
#include <exception>
#include <optional>
#include <utility>
#include <yaml-cpp/yaml.h>

namespace lifdag::config::detail {

struct ConfigError : std::exception
{
    Error error;
    explicit ConfigError(Error e)
        : error(std::move(e))
    { }
    const char *what() const noexcept override { return "config error"; }
};

class YamlNode
{
public:
    YamlNode(YAML::Node node, QString fileName, QString path)
        : m_node(std::move(node))
        , m_file(std::move(fileName))
        , m_path(std::move(path))
    { }

    const QString &path() const { return m_path; }
    const QString &fileName() const { return m_file; }
    bool isMap() const { return m_node.IsMap(); }
    bool isSequence() const { return m_node.IsSequence(); }
    bool isScalar() const { return m_node.IsScalar(); }
    bool isNull() const { return !m_node.IsDefined() || m_node.IsNull(); }
    bool isEnvReference() const; // {env: NAME}

    [[noreturn]] void fail(const QString &message,
                           const QString &code = QStringLiteral("config.invalid")) const;
    [[noreturn]] static void failAt(const YAML::Mark &mark, const QString &file, const QString &path,
                                    const QString &message, const QString &code);

    void requireMap() const;
    // Fails on the first key not in `allowed`, pointing at that key.
    void checkKeys(const QStringList &allowed) const;
    // The value under `key`; nullopt when absent or explicitly null.
    std::optional<YamlNode> child(const QString &key) const;
    YamlNode required(const QString &key) const;
    QList<YamlNode> items() const; // sequence elements, path "key[i]"
    QList<std::pair<QString, YamlNode>> entries() const; // map entries in order

    // Scalars, resolving {env: NAME}. Type errors say what was expected and what was found.
    QString toString() const;
    int toInt() const;
    double toDouble() const;
    bool toBool() const;
    QStringList toStringList() const; // a sequence of strings (or a single string)
    QJsonValue toJson() const; // any value, recursively; scalars typed as YAML 1.2 core would type them

    QString childPath(const QString &key) const;

private:
    QString scalarText(const char *expected) const;
    QString describeFound() const;

    YAML::Node m_node;
    QString m_file;
    QString m_path;
};

// Parses a document; syntax errors become ConfigError with the file, line and column.
YAML::Node loadDocument(const QByteArray &text, const QString &fileName);

} // namespace lifdag::config::detail
