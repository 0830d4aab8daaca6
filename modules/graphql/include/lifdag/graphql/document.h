// A parsed GraphQL document (operations and fragments, or type system definitions) and the
// error shape every stage reports.
#pragma once

#include <QJsonArray>
#include <QJsonObject>
#include <QList>
#include <QString>
#include <QStringList>

#include <memory>
#include <optional>

namespace lifdag::graphql {

namespace detail {
struct DocumentNode;
}

struct SourceLocation
{
    int line = 0; // 1-based
    int column = 0; // 1-based, in UTF-16 code units like graphql-js
    bool operator==(const SourceLocation &) const = default;
};

// One entry of a response's "errors": message, locations in the document, the response path
// (field names and list indices) and optional extensions.
struct GraphQLError
{
    QString message;
    QList<SourceLocation> locations;
    QJsonArray path;
    QJsonObject extensions;

    QJsonObject toJson() const;
};

// Guards against hostile documents. Parsing stops with a syntax error when a limit is passed.
struct ParseOptions
{
    qsizetype maxLength = 1 << 20; // characters of source text
    int maxTokens = 50000;
    int maxDepth = 128; // nesting of selection sets, list/object values and type wrappers
};

enum class OperationType { Query, Mutation, Subscription };

class Document
{
public:
    // Parses an executable document (or any document: type system definitions are kept and
    // rejected by validation). On failure the document is null and error() says
    // "Syntax Error: …" with the location.
    static Document parse(const QString &source, const ParseOptions &options = {});

    Document() = default;
    bool isNull() const { return !m_node; }
    const GraphQLError &error() const { return m_error; }

    // The type of the operation `operationName` selects (empty: the only operation), or nothing
    // when there is no such operation.
    std::optional<OperationType> operationType(const QString &operationName = {}) const;
    QStringList operationNames() const; // anonymous operations as empty strings

    const detail::DocumentNode *node() const { return m_node.get(); }

private:
    std::shared_ptr<const detail::DocumentNode> m_node;
    GraphQLError m_error;
};

} // namespace lifdag::graphql
