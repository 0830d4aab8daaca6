// JSONata syntax tree: the parser's raw tree, rewritten in place by the post-parse pass into the
// shape the evaluator walks (paths of steps, stages, tuple bindings, parent slots, thunks).
#pragma once

#include "error_p.h"

#include <lifdag/jsonata/value.h>

#include <QRegularExpression>
#include <QString>

#include <deque>
#include <memory>
#include <new>
#include <vector>

namespace lifdag::jsonata::detail {

enum class NodeType : std::uint8_t {
    // raw parser output (some survive post-processing unchanged)
    Binary,
    Unary,
    Function,
    Partial,
    Lambda,
    Condition,
    Transform,
    Block,
    Name,
    Variable,
    String,
    Number,
    Literal, // true, false, null
    Regex,
    Wildcard,
    Descendant,
    Parent,
    Operator,
    End,
    // created by post-processing
    Path,
    Bind,
    Apply,
    Sort,
};

struct Node;

// A parent-operator slot: the tuple variable (label) that carries the ancestor `level` steps up.
struct Slot
{
    QString label;
    int level = 1;
    int index = 0;
};

struct Stage
{
    enum Kind { Filter, Index } kind = Filter;
    Node *expr = nullptr;
    QString value; // Index: the variable name
    int position = 0;
};

struct SortTerm
{
    bool descending = false;
    Node *expression = nullptr;
};

struct Group
{
    std::vector<std::pair<Node *, Node *>> pairs;
    int position = 0;
};

// A compiled regular expression literal (JavaScript syntax translated to PCRE).
struct RegexData
{
    QRegularExpression re;
    QString source; // as written
};

// A parsed function signature such as <s-n?:s>.
struct Signature
{
    struct Param
    {
        char type = 0; // s n b l o a f j x or '(' for a choice
        QString choice; // allowed symbols of a choice
        QString subtype; // a<n>, f<...>
        bool context = false; // '-': use the context value when missing
        char quant = 0; // 0, '?' or '+'
        bool matches(char symbol) const;
        bool matchesContext(char symbol) const;
    };
    QString definition;
    std::vector<Param> params;
};

struct Node
{
    NodeType type = NodeType::End;
    int position = 0;
    QString id; // parser symbol id (operator text, "(name)", "(literal)", ...)
    QString value; // operator, name, variable name, string literal
    Value literal; // String, Number, Literal nodes
    double number = 0;

    // binary / unary
    Node *lhs = nullptr;
    Node *rhs = nullptr;
    Node *expression = nullptr; // unary '-'
    std::vector<Node *> expressions; // block, array constructor
    std::vector<std::pair<Node *, Node *>> pairs; // object constructor (unary '{'), raw binary '{' rhs
    std::vector<SortTerm> sortTerms; // raw '^' rhs / Sort step terms

    // function call, partial application, lambda
    Node *procedure = nullptr;
    std::vector<Node *> arguments;
    std::shared_ptr<const Signature> signature;
    Node *body = nullptr;
    bool thunk = false;

    // condition / transform
    Node *condition = nullptr;
    Node *then = nullptr;
    Node *otherwise = nullptr;
    Node *pattern = nullptr;
    Node *update = nullptr;
    Node *deletion = nullptr;

    // path and steps
    std::vector<Node *> steps;
    std::vector<Node *> predicate; // filters on a non-path expression
    bool hasStages = false;
    std::vector<Stage> stages;
    std::unique_ptr<Group> group;
    bool keepArray = false;
    bool keepSingletonArray = false;
    bool consarray = false;
    bool tuple = false;
    bool hasFocus = false;
    QString focus;
    bool hasIndex = false;
    QString index;
    Slot *ancestor = nullptr;
    Slot *slot = nullptr; // Parent
    bool hasSeekingParent = false;
    std::vector<Slot *> seekingParent;

    std::shared_ptr<const RegexData> regex;
};

// Owns every node and slot of one compiled expression (nodes come from blocks, not one
// allocation each: compiling is on the path of every uncached evaluation).
struct Ast
{
    Ast() = default;
    Ast(const Ast &) = delete;
    Ast &operator=(const Ast &) = delete;
    ~Ast()
    {
        for (auto it = m_nodes.rbegin(); it != m_nodes.rend(); ++it)
            (*it)->~Node();
    }

    std::deque<Slot> slotStore;
    Node *root = nullptr;

    Node *make(NodeType t, int position)
    {
        if (m_blocks.empty() || m_used == kBlockNodes) {
            m_blocks.push_back(std::make_unique<Storage[]>(kBlockNodes));
            m_used = 0;
        }
        Node *n = new (&m_blocks.back()[m_used++]) Node();
        m_nodes.push_back(n);
        n->type = t;
        n->position = position;
        return n;
    }
    Slot *makeSlot() { return &slotStore.emplace_back(); }

private:
    static constexpr size_t kBlockNodes = 16;
    struct Storage
    {
        alignas(Node) unsigned char bytes[sizeof(Node)];
    };
    std::vector<std::unique_ptr<Storage[]>> m_blocks;
    size_t m_used = 0;
    std::vector<Node *> m_nodes;
};

// Parses and post-processes `source`; throws JsonataError (S0xxx) on syntax errors.
std::unique_ptr<Ast> parse(const QString &source);
// Parses a signature such as "<s-n?:s>"; throws JsonataError (S0401/S0402) with `offset` in position.
std::shared_ptr<const Signature> parseSignature(const QString &text);
// Translates a JavaScript regular expression to a QRegularExpression; throws on invalid patterns.
std::shared_ptr<const RegexData> compileRegex(const QString &pattern, const QString &flags, int position);

} // namespace lifdag::jsonata::detail
