// Validation (spec section 5): graphql-js's specifiedRules with their wording, plus lifdag's
// nesting, depth, complexity and introspection limits.
#include "schema_p.h"

#include <lifdag/graphql/execute.h>

#include <QHash>
#include <QSet>

#include <map>

namespace lifdag::graphql {

using namespace detail;

namespace {

constexpr int kMaxNesting = 256; // selection sets + fragment spreads, whatever Limits say
constexpr qint64 kMaxOverlapComparisons = 100000;

struct VarUsage
{
    QString name;
    Loc loc;
    TypeRef type; // null when the position's type is unknown
    bool hasLocationDefault = false;
};

struct DefinitionInfo
{
    std::vector<VarUsage> usages;
    QStringList spreads; // fragment names spread directly (unique, in order)
};

// One field as the overlap rule sees it.
struct FieldAndDef
{
    const NamedType *parentType;
    const Selection *node;
    const FieldDef *def;
};
using FieldMap = std::vector<std::pair<QString, std::vector<FieldAndDef>>>;
struct FieldsAndFragments
{
    FieldMap fields;
    QStringList fragmentNames;
};

struct Conflict
{
    QString responseName;
    QString reason; // set for direct reasons
    std::vector<Conflict> subreasons; // set for sub-field conflicts
    std::vector<const Selection *> fields1;
    std::vector<const Selection *> fields2;
};

QString reasonMessage(const Conflict &c)
{
    if (c.subreasons.empty())
        return c.reason;
    QStringList parts;
    for (const Conflict &sub : c.subreasons)
        parts.append(QStringLiteral("subfields \"%1\" conflict because ").arg(sub.responseName)
                     + reasonMessage(sub));
    return parts.join(QStringLiteral(" and "));
}

// print(sortValueNode(value)): object fields sorted by name, recursively.
QString stableValue(const ValueNode &v)
{
    if (v.kind == ValueNode::Kind::Object) {
        std::vector<const ValueNode::Field *> fields;
        for (const ValueNode::Field &f : v.fields)
            fields.push_back(&f);
        std::stable_sort(
            fields.begin(), fields.end(),
            [](const ValueNode::Field *a, const ValueNode::Field *b) { return a->name < b->name; });
        QStringList items;
        for (const ValueNode::Field *f : fields)
            items.append(f->name + QStringLiteral(": ") + stableValue(f->value));
        return QLatin1Char('{') + items.join(QStringLiteral(", ")) + QLatin1Char('}');
    }
    if (v.kind == ValueNode::Kind::List) {
        QStringList items;
        for (const ValueNode &item : v.list)
            items.append(stableValue(item));
        return QLatin1Char('[') + items.join(QStringLiteral(", ")) + QLatin1Char(']');
    }
    if (v.kind == ValueNode::Kind::String)
        return printString(v.text);
    return printValue(v);
}

bool sameArguments(const Selection &a, const Selection &b)
{
    if (a.arguments.size() != b.arguments.size())
        return false;
    for (const Argument &arg1 : a.arguments) {
        const Argument *arg2 = nullptr;
        for (const Argument &x : b.arguments)
            if (x.name == arg1.name) {
                arg2 = &x;
                break;
            }
        if (!arg2 || stableValue(arg1.value) != stableValue(arg2->value))
            return false;
    }
    return true;
}

bool doTypesConflict(const TypeRef &t1, const TypeRef &t2)
{
    if (t1.isList())
        return t2.isList() ? doTypesConflict(t1.ofType(), t2.ofType()) : true;
    if (t2.isList())
        return true;
    if (t1.isNonNull())
        return t2.isNonNull() ? doTypesConflict(t1.ofType(), t2.ofType()) : true;
    if (t2.isNonNull())
        return true;
    if (t1.named->isLeaf() || t2.named->isLeaf())
        return t1.named != t2.named;
    return false;
}

class Validator
{
public:
    Validator(const SchemaData &schema, const DocumentNode &doc, const Limits &limits)
        : m_schema(schema)
        , m_doc(doc)
        , m_limits(limits)
    {
        for (const FragmentDefinition &f : doc.fragments)
            if (!m_fragments.contains(f.name))
                m_fragments.insert(f.name, &f);
    }

    QList<GraphQLError> run()
    {
        if (!checkNesting())
            return m_errors;
        executableDefinitions();
        uniqueOperationNames();
        loneAnonymousOperation();
        uniqueFragmentNames();
        for (const OperationDefinition &op : m_doc.operations)
            visitOperation(op);
        for (const FragmentDefinition &f : m_doc.fragments)
            visitFragment(f);
        for (const OperationDefinition &op : m_doc.operations)
            checkOperationVariables(op);
        noUnusedFragments();
        noFragmentCycles();
        if (m_errors.isEmpty())
            checkLimits();
        return m_errors;
    }

private:
    void report(const QString &message, const QList<Loc> &locations)
    {
        if (m_errors.size() >= 100)
            return; // enough for anyone; hostile documents can produce millions
        m_errors.append(GraphQLError { message, locations, {}, {} });
    }

    // Bounded nesting: every later recursion follows this structure -------------------------

    bool checkNesting()
    {
        QHash<QString, int> memo;
        QSet<QString> onStack;
        int worst = 0;
        bool ok = true;
        std::function<int(const std::vector<Selection> &, int)> nesting =
            [&](const std::vector<Selection> &sels, int level) -> int {
            if (!ok)
                return 0;
            if (level > kMaxNesting) {
                ok = false;
                return 0;
            }
            int deepest = 0;
            for (const Selection &s : sels) {
                int d = 0;
                if (s.kind == Selection::Kind::FragmentSpread) {
                    const FragmentDefinition *f = m_fragments.value(s.name, nullptr);
                    if (!f || onStack.contains(s.name))
                        continue;
                    auto it = memo.constFind(s.name);
                    if (it != memo.cend()) {
                        d = *it;
                        if (level + d > kMaxNesting) {
                            ok = false;
                            return 0;
                        }
                    } else {
                        onStack.insert(s.name);
                        d = nesting(f->selections, level + 1) + 1;
                        onStack.remove(s.name);
                        memo.insert(s.name, d);
                    }
                } else if (s.hasSelectionSet) {
                    d = nesting(s.selections, level + 1) + 1;
                }
                deepest = std::max(deepest, d);
            }
            return deepest;
        };
        for (const OperationDefinition &op : m_doc.operations)
            worst = std::max(worst, nesting(op.selections, 1));
        for (const FragmentDefinition &f : m_doc.fragments) {
            if (!memo.contains(f.name)) {
                onStack.insert(f.name);
                memo.insert(f.name, nesting(f.selections, 1));
                onStack.remove(f.name);
            }
        }
        if (!ok) {
            report(QStringLiteral("The document nests selections and fragment spreads deeper than %1 levels.")
                       .arg(kMaxNesting),
                   {});
        }
        return ok;
    }

    // Document-level rules -----------------------------------------------------------------

    void executableDefinitions()
    {
        QSet<QString> definedHere;
        for (const TypeSystemDefinition &def : m_doc.typeDefinitions)
            if (def.kind != TypeSystemDefinition::Kind::Schema
                && def.kind != TypeSystemDefinition::Kind::Directive)
                definedHere.insert(def.name);
        for (const TypeSystemDefinition &def : m_doc.typeDefinitions) {
            const QString name = def.kind == TypeSystemDefinition::Kind::Schema
                ? QStringLiteral("schema")
                : QLatin1Char('"') + def.name + QLatin1Char('"');
            report(QStringLiteral("The %1 definition is not executable.").arg(name), { def.loc });
            typeSystemReferences(def, definedHere);
        }
    }

    // graphql-js visits type system definitions in executable documents too: the types and
    // directives they name must exist.
    void typeSystemReferences(const TypeSystemDefinition &def, const QSet<QString> &definedHere)
    {
        auto knownType = [&](const QString &name, Loc loc) {
            if (!m_schema.type(name) && !definedHere.contains(name)) {
                QStringList names;
                for (const auto &t : m_schema.types)
                    names.append(t->name);
                names += definedHere.values();
                report(QStringLiteral("Unknown type \"%1\".").arg(name)
                           + didYouMean(suggestionList(name, names)),
                       { loc });
            }
        };
        auto typeNode = [&](const std::shared_ptr<const TypeNode> &t) {
            if (t)
                knownType(t->namedType(), t->loc);
        };
        auto inputValues = [&](const std::vector<InputValueDefinition> &values, const QString &location) {
            for (const InputValueDefinition &v : values) {
                typeNode(v.type);
                checkDirectives(v.directives, location);
            }
        };
        using K = TypeSystemDefinition::Kind;
        static const char *const locations[] = { "SCHEMA", "SCALAR", "OBJECT",       "INTERFACE",
                                                 "UNION",  "ENUM",   "INPUT_OBJECT", "" };
        if (def.kind != K::Directive)
            checkDirectives(def.directives, QString::fromLatin1(locations[int(def.kind)]));
        for (const NamedRef &i : def.interfaces)
            knownType(i.name, i.loc);
        for (const NamedRef &m : def.unionMembers)
            knownType(m.name, m.loc);
        for (const auto &op : def.operationTypes)
            knownType(op.second.name, op.second.loc);
        for (const FieldDefinition &f : def.fields) {
            typeNode(f.type);
            inputValues(f.arguments, QStringLiteral("ARGUMENT_DEFINITION"));
            checkDirectives(f.directives, QStringLiteral("FIELD_DEFINITION"));
        }
        inputValues(def.inputFields,
                    def.kind == K::Directive ? QStringLiteral("ARGUMENT_DEFINITION")
                                             : QStringLiteral("INPUT_FIELD_DEFINITION"));
        for (const EnumValueDefinition &v : def.enumValues)
            checkDirectives(v.directives, QStringLiteral("ENUM_VALUE"));
    }

    void uniqueOperationNames()
    {
        QHash<QString, Loc> seen;
        for (const OperationDefinition &op : m_doc.operations) {
            if (op.name.isEmpty())
                continue;
            const auto it = seen.constFind(op.name);
            if (it != seen.cend())
                report(QStringLiteral("There can be only one operation named \"%1\".").arg(op.name),
                       { *it, op.loc });
            else
                seen.insert(op.name, op.loc);
        }
    }

    void loneAnonymousOperation()
    {
        if (m_doc.operations.size() <= 1)
            return;
        for (const OperationDefinition &op : m_doc.operations)
            if (op.name.isEmpty())
                report(QStringLiteral("This anonymous operation must be the only defined operation."),
                       { op.loc });
    }

    void uniqueFragmentNames()
    {
        QHash<QString, Loc> seen;
        for (const FragmentDefinition &f : m_doc.fragments) {
            const auto it = seen.constFind(f.name);
            if (it != seen.cend())
                report(QStringLiteral("There can be only one fragment named \"%1\".").arg(f.name),
                       { *it, f.loc });
            else
                seen.insert(f.name, f.loc);
        }
    }

    QStringList recursivelyReferencedFragments(const DefinitionInfo &start) const
    {
        QStringList out;
        QSet<QString> seen;
        QStringList stack = start.spreads;
        std::reverse(stack.begin(), stack.end());
        while (!stack.isEmpty()) {
            const QString name = stack.takeLast();
            if (seen.contains(name))
                continue;
            seen.insert(name);
            const FragmentDefinition *f = m_fragments.value(name, nullptr);
            if (!f)
                continue;
            out.append(name);
            const DefinitionInfo &info = m_info[f];
            for (auto it = info.spreads.crbegin(); it != info.spreads.crend(); ++it)
                if (!seen.contains(*it))
                    stack.append(*it);
        }
        return out;
    }

    void noUnusedFragments()
    {
        QSet<QString> used;
        for (const OperationDefinition &op : m_doc.operations)
            for (const QString &name : recursivelyReferencedFragments(m_info[&op]))
                used.insert(name);
        for (const FragmentDefinition &f : m_doc.fragments)
            if (!used.contains(f.name))
                report(QStringLiteral("Fragment \"%1\" is never used.").arg(f.name), { f.loc });
    }

    static void fragmentSpreads(const std::vector<Selection> &sels, std::vector<const Selection *> &out)
    {
        for (const Selection &s : sels) {
            if (s.kind == Selection::Kind::FragmentSpread)
                out.push_back(&s);
            else
                fragmentSpreads(s.selections, out);
        }
    }

    void noFragmentCycles()
    {
        QSet<QString> visited;
        std::vector<const Selection *> spreadPath;
        QHash<QString, int> indexByName;
        std::function<void(const FragmentDefinition &)> detect = [&](const FragmentDefinition &fragment) {
            if (visited.contains(fragment.name))
                return;
            visited.insert(fragment.name);
            std::vector<const Selection *> spreads;
            fragmentSpreads(fragment.selections, spreads);
            if (spreads.empty())
                return;
            indexByName.insert(fragment.name, int(spreadPath.size()));
            for (const Selection *spread : spreads) {
                const auto cycleIndex = indexByName.constFind(spread->name);
                spreadPath.push_back(spread);
                if (cycleIndex == indexByName.cend()) {
                    if (const FragmentDefinition *f = m_fragments.value(spread->name, nullptr))
                        detect(*f);
                } else {
                    QStringList via;
                    QList<Loc> locs;
                    for (size_t i = size_t(*cycleIndex); i < spreadPath.size(); ++i) {
                        locs.append(spreadPath[i]->loc);
                        if (i + 1 < spreadPath.size())
                            via.append(QLatin1Char('"') + spreadPath[i]->name + QLatin1Char('"'));
                    }
                    report(QStringLiteral("Cannot spread fragment \"%1\" within itself").arg(spread->name)
                               + (via.isEmpty() ? QStringLiteral(".")
                                                : QStringLiteral(" via ") + via.join(QStringLiteral(", "))
                                          + QLatin1Char('.')),
                           locs);
                }
                spreadPath.pop_back();
            }
            indexByName.remove(fragment.name);
        };
        for (const FragmentDefinition &f : m_doc.fragments)
            detect(f);
    }

    // Definitions ---------------------------------------------------------------------------

    void visitOperation(const OperationDefinition &op)
    {
        m_current = &m_info[&op];
        // Variable definitions.
        QHash<QString, Loc> seen;
        for (const VariableDefinition &v : op.variables) {
            const auto it = seen.constFind(v.name);
            if (it != seen.cend())
                report(QStringLiteral("There can be only one variable named \"$%1\".").arg(v.name),
                       { *it, v.loc });
            else
                seen.insert(v.name, v.loc);
            const QString &typeName = v.type->namedType();
            const NamedType *named = m_schema.type(typeName);
            if (!named) {
                unknownType(typeName, v.type->loc);
            } else if (!named->isInput()) {
                report(QStringLiteral("Variable \"$%1\" cannot be non-input type \"%2\".")
                           .arg(v.name, v.type->toString()),
                       { v.type->loc });
            }
            const TypeRef varType = m_schema.typeFromAst(*v.type);
            if (v.defaultValue)
                checkValue(*v.defaultValue,
                           (!varType.isNull() && varType.named->isInput()) ? varType : TypeRef {}, false);
            checkDirectives(v.directives, QStringLiteral("VARIABLE_DEFINITION"));
        }
        static const char *const locations[] = { "QUERY", "MUTATION", "SUBSCRIPTION" };
        checkDirectives(op.directives, QString::fromLatin1(locations[int(op.type)]));
        const NamedType *root = m_schema.rootType(op.type);
        if (op.type == OperationType::Subscription && root)
            singleFieldSubscription(op, root);
        visitSelectionSet(op.selections, root);
        m_current = nullptr;
    }

    void visitFragment(const FragmentDefinition &f)
    {
        m_current = &m_info[&f];
        const NamedType *type = m_schema.type(f.typeCondition);
        if (!type)
            unknownType(f.typeCondition, f.typeConditionLoc);
        else if (!type->isComposite())
            report(QStringLiteral("Fragment \"%1\" cannot condition on non composite type \"%2\".")
                       .arg(f.name, f.typeCondition),
                   { f.typeConditionLoc });
        checkDirectives(f.directives, QStringLiteral("FRAGMENT_DEFINITION"));
        visitSelectionSet(f.selections, type && type->isComposite() ? type : nullptr);
        m_current = nullptr;
    }

    void singleFieldSubscription(const OperationDefinition &op, const NamedType *root)
    {
        std::vector<std::pair<QString, const Selection *>> fields;
        QSet<QString> keys;
        QSet<QString> visited;
        std::function<void(const std::vector<Selection> &, int)> collect =
            [&](const std::vector<Selection> &sels, int depth) {
                if (depth > kMaxNesting)
                    return;
                for (const Selection &s : sels) {
                    if (s.kind == Selection::Kind::Field) {
                        if (!keys.contains(s.responseKey())) {
                            keys.insert(s.responseKey());
                            fields.emplace_back(s.responseKey(), &s);
                        }
                    } else if (s.kind == Selection::Kind::InlineFragment) {
                        const NamedType *t =
                            s.typeCondition.isEmpty() ? root : m_schema.type(s.typeCondition);
                        if (t && (t == root || (t->isAbstract() && t->possibleSet.contains(root))))
                            collect(s.selections, depth + 1);
                    } else if (!visited.contains(s.name)) {
                        visited.insert(s.name);
                        const FragmentDefinition *f = m_fragments.value(s.name, nullptr);
                        const NamedType *t = f ? m_schema.type(f->typeCondition) : nullptr;
                        if (t && (t == root || (t->isAbstract() && t->possibleSet.contains(root))))
                            collect(f->selections, depth + 1);
                    }
                }
            };
        collect(op.selections, 0);
        const QString prefix = op.name.isEmpty() ? QStringLiteral("Anonymous Subscription")
                                                 : QStringLiteral("Subscription \"%1\"").arg(op.name);
        if (fields.size() > 1) {
            QList<Loc> locs;
            for (size_t i = 1; i < fields.size(); ++i)
                locs.append(fields[i].second->loc);
            report(prefix + QStringLiteral(" must select only one top level field."), locs);
        }
        for (const auto &[key, node] : fields)
            if (node->name.startsWith(QLatin1StringView("__")))
                report(prefix + QStringLiteral(" must not select an introspection top level field."),
                       { node->loc });
    }

    void unknownType(const QString &name, Loc loc)
    {
        QStringList names;
        for (const auto &t : m_schema.types)
            names.append(t->name);
        report(QStringLiteral("Unknown type \"%1\".").arg(name) + didYouMean(suggestionList(name, names)),
               { loc });
    }

    // Selections ----------------------------------------------------------------------------

    void visitSelectionSet(const std::vector<Selection> &sels, const NamedType *parentType)
    {
        overlappingFields(parentType, sels);
        for (const Selection &s : sels) {
            switch (s.kind) {
            case Selection::Kind::Field:
                visitField(s, parentType);
                break;
            case Selection::Kind::InlineFragment: {
                const NamedType *fragType = parentType;
                if (!s.typeCondition.isEmpty()) {
                    fragType = m_schema.type(s.typeCondition);
                    if (!fragType)
                        unknownType(s.typeCondition, s.typeConditionLoc);
                    else if (!fragType->isComposite())
                        report(QStringLiteral("Fragment cannot condition on non composite type \"%1\".")
                                   .arg(s.typeCondition),
                               { s.typeConditionLoc });
                }
                if (fragType && parentType && fragType->isComposite() && parentType->isComposite()
                    && !m_schema.doTypesOverlap(fragType, parentType))
                    report(QStringLiteral("Fragment cannot be spread here as objects of type \"%1\" can "
                                          "never be of type \"%2\".")
                               .arg(parentType->name, fragType->name),
                           { s.loc });
                checkDirectives(s.directives, QStringLiteral("INLINE_FRAGMENT"));
                visitSelectionSet(s.selections, fragType && fragType->isComposite() ? fragType : nullptr);
                break;
            }
            case Selection::Kind::FragmentSpread: {
                if (!m_current->spreads.contains(s.name))
                    m_current->spreads.append(s.name);
                const FragmentDefinition *f = m_fragments.value(s.name, nullptr);
                if (!f) {
                    report(QStringLiteral("Unknown fragment \"%1\".").arg(s.name), { s.loc });
                } else {
                    const NamedType *fragType = m_schema.type(f->typeCondition);
                    if (fragType && parentType && fragType->isComposite() && parentType->isComposite()
                        && !m_schema.doTypesOverlap(fragType, parentType))
                        report(QStringLiteral("Fragment \"%1\" cannot be spread here as objects of type "
                                              "\"%2\" can never be of type \"%3\".")
                                   .arg(s.name, parentType->name, fragType->name),
                               { s.loc });
                }
                checkDirectives(s.directives, QStringLiteral("FRAGMENT_SPREAD"));
                break;
            }
            }
        }
    }

    void visitField(const Selection &s, const NamedType *parentType)
    {
        const FieldDef *def = parentType ? m_schema.fieldDef(parentType, s.name) : nullptr;
        if (parentType && !def)
            unknownField(s, parentType);
        checkDirectives(s.directives, QStringLiteral("FIELD"));
        checkArguments(
            s.arguments, def ? &def->args : nullptr, s.loc,
            def ? std::optional<QString>(parentType->name + QLatin1Char('.') + s.name) : std::nullopt, {});
        if (def) {
            const NamedType *named = def->type.named;
            if (named && named->isLeaf() && s.hasSelectionSet) {
                report(QStringLiteral(
                           "Field \"%1\" must not have a selection since type \"%2\" has no subfields.")
                           .arg(s.name, def->type.toString()),
                       { s.loc });
            } else if (named && !named->isLeaf() && !s.hasSelectionSet) {
                report(QStringLiteral("Field \"%1\" of type \"%2\" must have a selection of subfields. Did "
                                      "you mean \"%1 { ... }\"?")
                           .arg(s.name, def->type.toString()),
                       { s.loc });
            }
        }
        if (s.hasSelectionSet) {
            const NamedType *child =
                def && def->type.named && def->type.named->isComposite() ? def->type.named : nullptr;
            visitSelectionSet(s.selections, child);
        }
    }

    void unknownField(const Selection &s, const NamedType *parentType)
    {
        QString suggestion;
        if (parentType->isAbstract()) {
            // Types that define the field, most used interfaces first.
            std::vector<const NamedType *> suggested;
            QHash<const NamedType *, int> usage;
            for (const NamedType *possible : parentType->possibleTypes) {
                if (!possible->field(s.name))
                    continue;
                if (!usage.contains(possible))
                    suggested.push_back(possible);
                usage[possible] = 1;
                for (const NamedType *iface : possible->interfaces) {
                    if (!iface->field(s.name))
                        continue;
                    if (!usage.contains(iface))
                        suggested.push_back(iface);
                    usage[iface] += 1;
                }
            }
            std::stable_sort(suggested.begin(), suggested.end(), [&](const NamedType *a, const NamedType *b) {
                if (usage[a] != usage[b])
                    return usage[a] > usage[b];
                if (a->kind == TypeKind::Interface && b->possibleSet.contains(a))
                    return true;
                if (b->kind == TypeKind::Interface && a->possibleSet.contains(b))
                    return false;
                return a->name < b->name;
            });
            QStringList names;
            for (const NamedType *t : suggested)
                names.append(t->name);
            suggestion = didYouMean(names, QStringLiteral("to use an inline fragment on"));
        }
        if (suggestion.isEmpty() && parentType->hasFields()) {
            QStringList names;
            for (const FieldDef &f : parentType->fields)
                names.append(f.name);
            suggestion = didYouMean(suggestionList(s.name, names));
        }
        report(QStringLiteral("Cannot query field \"%1\" on type \"%2\".").arg(s.name, parentType->name)
                   + suggestion,
               { s.loc });
    }

    // Arguments, directives, values ---------------------------------------------------------

    // `fieldName` "Type.field" for fields; `directiveName` for directives. `defs` null: unknown.
    void checkArguments(const std::vector<Argument> &args, const std::vector<InputValueDef> *defs,
                        Loc nodeLoc, const std::optional<QString> &fieldName, const QString &directiveName)
    {
        QHash<QString, Loc> seen;
        for (const Argument &a : args) {
            const auto it = seen.constFind(a.name);
            if (it != seen.cend())
                report(QStringLiteral("There can be only one argument named \"%1\".").arg(a.name),
                       { *it, a.loc });
            else
                seen.insert(a.name, a.loc);
            const InputValueDef *def = nullptr;
            if (defs) {
                for (const InputValueDef &d : *defs)
                    if (d.name == a.name) {
                        def = &d;
                        break;
                    }
                if (!def) {
                    QStringList names;
                    for (const InputValueDef &d : *defs)
                        names.append(d.name);
                    const QString suggestion = didYouMean(suggestionList(a.name, names));
                    if (!directiveName.isEmpty())
                        report(QStringLiteral("Unknown argument \"%1\" on directive \"@%2\".")
                                       .arg(a.name, directiveName)
                                   + suggestion,
                               { a.loc });
                    else if (fieldName)
                        report(
                            QStringLiteral("Unknown argument \"%1\" on field \"%2\".").arg(a.name, *fieldName)
                                + suggestion,
                            { a.loc });
                }
            }
            checkValue(a.value, def ? def->type : TypeRef {}, def && def->defaultValue.has_value());
        }
        if (!defs)
            return;
        for (const InputValueDef &d : *defs) {
            if (!d.type.isNonNull() || d.defaultValue || seen.contains(d.name))
                continue;
            if (!directiveName.isEmpty())
                report(QStringLiteral("Directive \"@%1\" argument \"%2\" of type \"%3\" is required, but it "
                                      "was not provided.")
                           .arg(directiveName, d.name, d.type.toString()),
                       { nodeLoc });
            else if (fieldName)
                report(
                    QStringLiteral(
                        "Field \"%1\" argument \"%2\" of type \"%3\" is required, but it was not provided.")
                        .arg(fieldName->section(QLatin1Char('.'), 1), d.name, d.type.toString()),
                    { nodeLoc });
        }
    }

    void checkDirectives(const std::vector<Directive> &directives, const QString &location)
    {
        QSet<QString> seen;
        QHash<QString, Loc> first;
        for (const Directive &d : directives) {
            const DirectiveDef *def = m_schema.directive(d.name);
            if (!def) {
                report(QStringLiteral("Unknown directive \"@%1\".").arg(d.name), { d.loc });
            } else {
                if (!def->locations.contains(location))
                    report(QStringLiteral("Directive \"@%1\" may not be used on %2.").arg(d.name, location),
                           { d.loc });
                if (!def->repeatable) {
                    if (first.contains(d.name))
                        report(QStringLiteral("The directive \"@%1\" can only be used once at this location.")
                                   .arg(d.name),
                               { first.value(d.name), d.loc });
                    else
                        first.insert(d.name, d.loc);
                }
            }
            checkArguments(d.arguments, def ? &def->args : nullptr, d.loc, std::nullopt, d.name);
        }
    }

    void expectedValue(const ValueNode &node, const TypeRef &type, const QString &detail = {})
    {
        report(
            QStringLiteral("Expected value of type \"%1\", found %2").arg(type.toString(), printValue(node))
                + (detail.isEmpty() ? QStringLiteral(".") : QStringLiteral("; ") + detail),
            { node.loc });
    }

    void checkValue(const ValueNode &node, const TypeRef &type, bool hasLocationDefault, int depth = 0)
    {
        if (depth > kMaxNesting)
            return;
        if (node.kind == ValueNode::Kind::Variable) {
            if (m_current)
                m_current->usages.push_back(VarUsage { node.text, node.loc, type, hasLocationDefault });
            return;
        }
        if (node.kind == ValueNode::Kind::Object) {
            QHash<QString, Loc> seen;
            for (const ValueNode::Field &f : node.fields) {
                const auto it = seen.constFind(f.name);
                if (it != seen.cend())
                    report(QStringLiteral("There can be only one input field named \"%1\".").arg(f.name),
                           { *it, f.loc });
                else
                    seen.insert(f.name, f.loc);
            }
        }
        if (type.isNull()) {
            for (const ValueNode &item : node.list)
                checkValue(item, {}, false, depth + 1);
            for (const ValueNode::Field &f : node.fields)
                checkValue(f.value, {}, false, depth + 1);
            return;
        }
        if (node.kind == ValueNode::Kind::Null) {
            if (type.isNonNull())
                expectedValue(node, type);
            return;
        }
        const TypeRef nullable = type.nullable();
        if (node.kind == ValueNode::Kind::List) {
            if (nullable.isList()) {
                for (const ValueNode &item : node.list)
                    checkValue(item, nullable.ofType(), false, depth + 1);
                return;
            }
            checkLeaf(node, type, depth);
            return;
        }
        if (node.kind == ValueNode::Kind::Object) {
            if (nullable.isNamed() && nullable.named->kind == TypeKind::InputObject) {
                const NamedType *input = nullable.named;
                for (const InputValueDef &f : input->inputFields) {
                    bool present = false;
                    for (const ValueNode::Field &nf : node.fields)
                        if (nf.name == f.name)
                            present = true;
                    if (!present && f.type.isNonNull() && !f.defaultValue)
                        report(QStringLiteral("Field \"%1.%2\" of required type \"%3\" was not provided.")
                                   .arg(input->name, f.name, f.type.toString()),
                               { node.loc });
                }
                for (const ValueNode::Field &nf : node.fields) {
                    const InputValueDef *f = input->inputField(nf.name);
                    if (!f) {
                        QStringList names;
                        for (const InputValueDef &x : input->inputFields)
                            names.append(x.name);
                        report(QStringLiteral("Field \"%1\" is not defined by type \"%2\".")
                                       .arg(nf.name, input->name)
                                   + didYouMean(suggestionList(nf.name, names)),
                               { nf.loc });
                        checkValue(nf.value, {}, false, depth + 1);
                    } else {
                        checkValue(nf.value, f->type, f->defaultValue.has_value(), depth + 1);
                    }
                }
                return;
            }
            checkLeaf(node, type, depth);
            return;
        }
        checkLeaf(node, type, depth);
    }

    void checkLeaf(const ValueNode &node, const TypeRef &type, int depth)
    {
        // Like graphql-js: a literal that does not match the list/object shape is judged by the
        // named type alone (so `3` is a valid [Int], and `[1]` an invalid Int).
        const NamedType *named = type.named;
        if (!named->isLeaf()) {
            expectedValue(node, type);
            recordNestedVariables(node, depth);
            return;
        }
        if (named->kind == TypeKind::Enum) {
            QStringList names;
            for (const EnumValueDef &v : named->enumValues)
                names.append(v.name);
            const QString printed = printValue(node);
            if (node.kind != ValueNode::Kind::Enum) {
                report(QStringLiteral("Enum \"%1\" cannot represent non-enum value: %2.")
                               .arg(named->name, printed)
                           + didYouMean(suggestionList(printed, names), QStringLiteral("the enum value")),
                       { node.loc });
            } else if (!named->enumValue(node.text)) {
                report(QStringLiteral("Value \"%1\" does not exist in \"%2\" enum.").arg(printed, named->name)
                           + didYouMean(suggestionList(printed, names), QStringLiteral("the enum value")),
                       { node.loc });
            }
            return;
        }
        // Scalars: literal parsing with variables treated as valid (checked where they are defined).
        if (containsVariable(node, depth)) {
            recordNestedVariables(node, depth);
            return;
        }
        QString message;
        if (valueFromAst(node, TypeRef { named, {} }, nullptr, &message))
            return;
        if (named->builtin && !message.isEmpty())
            report(message, { node.loc });
        else
            expectedValue(node, type, message);
    }

    bool containsVariable(const ValueNode &node, int depth) const
    {
        if (depth > kMaxNesting)
            return false;
        if (node.kind == ValueNode::Kind::Variable)
            return true;
        for (const ValueNode &item : node.list)
            if (containsVariable(item, depth + 1))
                return true;
        for (const ValueNode::Field &f : node.fields)
            if (containsVariable(f.value, depth + 1))
                return true;
        return false;
    }

    void recordNestedVariables(const ValueNode &node, int depth)
    {
        for (const ValueNode &item : node.list)
            checkValue(item, {}, false, depth + 1);
        for (const ValueNode::Field &f : node.fields)
            checkValue(f.value, {}, false, depth + 1);
        if (node.kind == ValueNode::Kind::Variable)
            checkValue(node, {}, false, depth + 1);
    }

    // Variables of an operation, with the fragments it uses -------------------------------

    void checkOperationVariables(const OperationDefinition &op)
    {
        std::vector<const VarUsage *> usages;
        for (const VarUsage &u : m_info[&op].usages)
            usages.push_back(&u);
        for (const QString &name : recursivelyReferencedFragments(m_info[&op])) {
            const FragmentDefinition *f = m_fragments.value(name, nullptr);
            for (const VarUsage &u : m_info[f].usages)
                usages.push_back(&u);
        }
        QHash<QString, const VariableDefinition *> defs;
        for (const VariableDefinition &v : op.variables)
            if (!defs.contains(v.name))
                defs.insert(v.name, &v);
        QSet<QString> used;
        for (const VarUsage *u : usages) {
            used.insert(u->name);
            const VariableDefinition *def = defs.value(u->name, nullptr);
            if (!def) {
                report(op.name.isEmpty()
                           ? QStringLiteral("Variable \"$%1\" is not defined.").arg(u->name)
                           : QStringLiteral("Variable \"$%1\" is not defined by operation \"%2\".")
                                 .arg(u->name, op.name),
                       { u->loc, op.loc });
                continue;
            }
            if (u->type.isNull())
                continue;
            const TypeRef varType = m_schema.typeFromAst(*def->type);
            if (varType.isNull())
                continue;
            if (!allowedVariableUsage(varType, *def, u->type, u->hasLocationDefault))
                report(
                    QStringLiteral("Variable \"$%1\" of type \"%2\" used in position expecting type \"%3\".")
                        .arg(u->name, varType.toString(), u->type.toString()),
                    { def->loc, u->loc });
        }
        for (const VariableDefinition &v : op.variables) {
            if (used.contains(v.name))
                continue;
            report(op.name.isEmpty() ? QStringLiteral("Variable \"$%1\" is never used.").arg(v.name)
                                     : QStringLiteral("Variable \"$%1\" is never used in operation \"%2\".")
                                           .arg(v.name, op.name),
                   { v.loc });
        }
    }

    bool allowedVariableUsage(const TypeRef &varType, const VariableDefinition &def,
                              const TypeRef &locationType, bool hasLocationDefault) const
    {
        if (locationType.isNonNull() && !varType.isNonNull()) {
            const bool hasNonNullVariableDefault =
                def.defaultValue && def.defaultValue->kind != ValueNode::Kind::Null;
            if (!hasNonNullVariableDefault && !hasLocationDefault)
                return false;
            return m_schema.isTypeSubTypeOf(varType, locationType.ofType());
        }
        return m_schema.isTypeSubTypeOf(varType, locationType);
    }

    // OverlappingFieldsCanBeMerged (graphql-js's algorithm) ---------------------------------

    void overlappingFields(const NamedType *parentType, const std::vector<Selection> &sels)
    {
        if (m_overlapAborted)
            return;
        std::vector<Conflict> conflicts;
        const FieldsAndFragments &ff = fieldsAndFragmentNames(parentType, sels);
        collectConflictsWithin(conflicts, ff.fields);
        for (qsizetype i = 0; i < ff.fragmentNames.size(); ++i) {
            collectConflictsBetweenFieldsAndFragment(conflicts, false, ff.fields, ff.fragmentNames[i]);
            for (qsizetype j = i + 1; j < ff.fragmentNames.size(); ++j)
                collectConflictsBetweenFragments(conflicts, false, ff.fragmentNames[i], ff.fragmentNames[j]);
        }
        if (m_overlapAborted) {
            report(QStringLiteral("The document is too complex to validate (field merging)."), {});
            return;
        }
        for (const Conflict &c : conflicts) {
            QList<Loc> locs;
            for (const Selection *s : c.fields1)
                locs.append(s->loc);
            for (const Selection *s : c.fields2)
                locs.append(s->loc);
            report(QStringLiteral("Fields \"%1\" conflict because %2. Use different aliases on the fields to "
                                  "fetch both if this was intentional.")
                       .arg(c.responseName, reasonMessage(c)),
                   locs);
        }
    }

    const FieldsAndFragments &fieldsAndFragmentNames(const NamedType *parentType,
                                                     const std::vector<Selection> &sels)
    {
        auto it = m_fieldCache.find(&sels);
        if (it != m_fieldCache.end())
            return it->second;
        FieldsAndFragments ff;
        QHash<QString, size_t> index;
        collectFieldsAndFragmentNames(parentType, sels, ff, index, 0);
        return m_fieldCache.emplace(&sels, std::move(ff)).first->second;
    }

    void collectFieldsAndFragmentNames(const NamedType *parentType, const std::vector<Selection> &sels,
                                       FieldsAndFragments &ff, QHash<QString, size_t> &index, int depth)
    {
        if (depth > kMaxNesting)
            return;
        for (const Selection &s : sels) {
            switch (s.kind) {
            case Selection::Kind::Field: {
                const FieldDef *def =
                    parentType && parentType->hasFields() ? parentType->field(s.name) : nullptr;
                if (!def && parentType && s.name.startsWith(QLatin1StringView("__")))
                    def = m_schema.fieldDef(parentType, s.name);
                const QString &key = s.responseKey();
                auto found = index.constFind(key);
                if (found == index.cend()) {
                    index.insert(key, ff.fields.size());
                    ff.fields.push_back({ key, { FieldAndDef { parentType, &s, def } } });
                } else {
                    ff.fields[*found].second.push_back(FieldAndDef { parentType, &s, def });
                }
                break;
            }
            case Selection::Kind::FragmentSpread:
                if (!ff.fragmentNames.contains(s.name))
                    ff.fragmentNames.append(s.name);
                break;
            case Selection::Kind::InlineFragment: {
                const NamedType *t = s.typeCondition.isEmpty() ? parentType : m_schema.type(s.typeCondition);
                collectFieldsAndFragmentNames(t, s.selections, ff, index, depth + 1);
                break;
            }
            }
        }
    }

    const FieldsAndFragments *referencedFieldsAndFragmentNames(const FragmentDefinition &f)
    {
        return &fieldsAndFragmentNames(m_schema.type(f.typeCondition), f.selections);
    }

    bool pairCompared(const QString &a, const QString &b, bool mutuallyExclusive)
    {
        const auto key = a < b ? std::make_pair(a, b) : std::make_pair(b, a);
        const auto it = m_comparedPairs.find(key);
        if (it == m_comparedPairs.end())
            return false;
        return mutuallyExclusive ? true : it->second == mutuallyExclusive;
    }
    void addPair(const QString &a, const QString &b, bool mutuallyExclusive)
    {
        const auto key = a < b ? std::make_pair(a, b) : std::make_pair(b, a);
        m_comparedPairs[key] = mutuallyExclusive;
    }

    void collectConflictsBetweenFieldsAndFragment(std::vector<Conflict> &conflicts, bool mutuallyExclusive,
                                                  const FieldMap &fieldMap, const QString &fragmentName)
    {
        if (m_overlapAborted)
            return;
        const FragmentDefinition *fragment = m_fragments.value(fragmentName, nullptr);
        if (!fragment)
            return;
        const FieldsAndFragments *ff2 = referencedFieldsAndFragmentNames(*fragment);
        if (&fieldMap == &ff2->fields)
            return;
        collectConflictsBetween(conflicts, mutuallyExclusive, fieldMap, ff2->fields);
        for (const QString &referenced : ff2->fragmentNames) {
            if (pairCompared(referenced, fragmentName, mutuallyExclusive))
                continue;
            addPair(referenced, fragmentName, mutuallyExclusive);
            collectConflictsBetweenFieldsAndFragment(conflicts, mutuallyExclusive, fieldMap, referenced);
        }
    }

    void collectConflictsBetweenFragments(std::vector<Conflict> &conflicts, bool mutuallyExclusive,
                                          const QString &name1, const QString &name2)
    {
        if (m_overlapAborted || name1 == name2 || pairCompared(name1, name2, mutuallyExclusive))
            return;
        addPair(name1, name2, mutuallyExclusive);
        const FragmentDefinition *f1 = m_fragments.value(name1, nullptr);
        const FragmentDefinition *f2 = m_fragments.value(name2, nullptr);
        if (!f1 || !f2)
            return;
        const FieldsAndFragments *ff1 = referencedFieldsAndFragmentNames(*f1);
        const FieldsAndFragments *ff2 = referencedFieldsAndFragmentNames(*f2);
        collectConflictsBetween(conflicts, mutuallyExclusive, ff1->fields, ff2->fields);
        for (const QString &r2 : ff2->fragmentNames)
            collectConflictsBetweenFragments(conflicts, mutuallyExclusive, name1, r2);
        for (const QString &r1 : ff1->fragmentNames)
            collectConflictsBetweenFragments(conflicts, mutuallyExclusive, r1, name2);
    }

    std::vector<Conflict> findConflictsBetweenSubSelectionSets(bool mutuallyExclusive, const NamedType *type1,
                                                               const std::vector<Selection> &sels1,
                                                               const NamedType *type2,
                                                               const std::vector<Selection> &sels2)
    {
        std::vector<Conflict> conflicts;
        const FieldsAndFragments &ff1 = fieldsAndFragmentNames(type1, sels1);
        const FieldsAndFragments &ff2 = fieldsAndFragmentNames(type2, sels2);
        collectConflictsBetween(conflicts, mutuallyExclusive, ff1.fields, ff2.fields);
        for (const QString &n2 : ff2.fragmentNames)
            collectConflictsBetweenFieldsAndFragment(conflicts, mutuallyExclusive, ff1.fields, n2);
        for (const QString &n1 : ff1.fragmentNames)
            collectConflictsBetweenFieldsAndFragment(conflicts, mutuallyExclusive, ff2.fields, n1);
        for (const QString &n1 : ff1.fragmentNames)
            for (const QString &n2 : ff2.fragmentNames)
                collectConflictsBetweenFragments(conflicts, mutuallyExclusive, n1, n2);
        return conflicts;
    }

    void collectConflictsWithin(std::vector<Conflict> &conflicts, const FieldMap &fieldMap)
    {
        for (const auto &[responseName, fields] : fieldMap) {
            for (size_t i = 0; i < fields.size(); ++i)
                for (size_t j = i + 1; j < fields.size(); ++j)
                    if (auto c = findConflict(false, responseName, fields[i], fields[j]))
                        conflicts.push_back(std::move(*c));
        }
    }

    void collectConflictsBetween(std::vector<Conflict> &conflicts, bool mutuallyExclusive,
                                 const FieldMap &map1, const FieldMap &map2)
    {
        for (const auto &[responseName, fields1] : map1) {
            for (const auto &[name2, fields2] : map2) {
                if (name2 != responseName)
                    continue;
                for (const FieldAndDef &f1 : fields1)
                    for (const FieldAndDef &f2 : fields2)
                        if (auto c = findConflict(mutuallyExclusive, responseName, f1, f2))
                            conflicts.push_back(std::move(*c));
            }
        }
    }

    std::optional<Conflict> findConflict(bool parentsMutuallyExclusive, const QString &responseName,
                                         const FieldAndDef &f1, const FieldAndDef &f2)
    {
        if (++m_comparisons > kMaxOverlapComparisons) {
            m_overlapAborted = true;
            return std::nullopt;
        }
        const bool mutuallyExclusive = parentsMutuallyExclusive
            || (f1.parentType != f2.parentType && f1.parentType && f2.parentType
                && f1.parentType->kind == TypeKind::Object && f2.parentType->kind == TypeKind::Object);
        if (!mutuallyExclusive) {
            if (f1.node->name != f2.node->name)
                return Conflict { responseName,
                                  QStringLiteral("\"%1\" and \"%2\" are different fields")
                                      .arg(f1.node->name, f2.node->name),
                                  {},
                                  { f1.node },
                                  { f2.node } };
            if (!sameArguments(*f1.node, *f2.node))
                return Conflict { responseName,
                                  QStringLiteral("they have differing arguments"),
                                  {},
                                  { f1.node },
                                  { f2.node } };
        }
        if (f1.def && f2.def && doTypesConflict(f1.def->type, f2.def->type))
            return Conflict { responseName,
                              QStringLiteral("they return conflicting types \"%1\" and \"%2\"")
                                  .arg(f1.def->type.toString(), f2.def->type.toString()),
                              {},
                              { f1.node },
                              { f2.node } };
        if (f1.node->hasSelectionSet && f2.node->hasSelectionSet) {
            std::vector<Conflict> sub = findConflictsBetweenSubSelectionSets(
                mutuallyExclusive, f1.def ? f1.def->type.named : nullptr, f1.node->selections,
                f2.def ? f2.def->type.named : nullptr, f2.node->selections);
            if (!sub.empty()) {
                Conflict c;
                c.responseName = responseName;
                c.fields1.push_back(f1.node);
                c.fields2.push_back(f2.node);
                for (Conflict &s : sub) {
                    c.fields1.insert(c.fields1.end(), s.fields1.begin(), s.fields1.end());
                    c.fields2.insert(c.fields2.end(), s.fields2.begin(), s.fields2.end());
                    c.subreasons.push_back(std::move(s));
                }
                return c;
            }
        }
        return std::nullopt;
    }

    // lifdag's limits -----------------------------------------------------------------------

    void checkLimits()
    {
        if (!m_limits.introspection) {
            std::function<bool(const std::vector<Selection> &, int)> usesIntrospection =
                [&](const std::vector<Selection> &sels, int depth) {
                    if (depth > kMaxNesting)
                        return false;
                    for (const Selection &s : sels) {
                        if (s.kind == Selection::Kind::Field
                            && (s.name == QLatin1StringView("__schema")
                                || s.name == QLatin1StringView("__type")))
                            return true;
                        if (usesIntrospection(s.selections, depth + 1))
                            return true;
                    }
                    return false;
                };
            bool found = false;
            for (const OperationDefinition &op : m_doc.operations)
                found = found || usesIntrospection(op.selections, 0);
            for (const FragmentDefinition &f : m_doc.fragments)
                found = found || usesIntrospection(f.selections, 0);
            if (found)
                report(QStringLiteral("GraphQL introspection is not allowed by this server."), {});
        }
        if (m_limits.maxDepth <= 0 && m_limits.maxComplexity <= 0)
            return;
        // Field depth and field count with fragments expanded, memoized per fragment (a fragment
        // spread twice in another spread twice… counts every time, in linear work).
        QHash<QString, std::pair<int, qint64>> memo;
        std::function<std::pair<int, qint64>(const std::vector<Selection> &, int)> measure =
            [&](const std::vector<Selection> &sels, int level) -> std::pair<int, qint64> {
            int depth = 0;
            qint64 count = 0;
            if (level > kMaxNesting)
                return { 0, 0 };
            for (const Selection &s : sels) {
                std::pair<int, qint64> sub { 0, 0 };
                if (s.kind == Selection::Kind::Field) {
                    sub = measure(s.selections, level + 1);
                    sub.first += 1;
                    sub.second += 1;
                } else if (s.kind == Selection::Kind::InlineFragment) {
                    sub = measure(s.selections, level + 1);
                } else {
                    auto it = memo.constFind(s.name);
                    if (it != memo.cend()) {
                        sub = *it;
                    } else if (const FragmentDefinition *f = m_fragments.value(s.name, nullptr)) {
                        memo.insert(s.name, { 0, 0 }); // cycles are reported elsewhere
                        sub = measure(f->selections, level + 1);
                        memo.insert(s.name, sub);
                    }
                }
                depth = std::max(depth, sub.first);
                count = std::min<qint64>(count + sub.second, qint64(1) << 40);
            }
            return { depth, count };
        };
        for (const OperationDefinition &op : m_doc.operations) {
            const auto [depth, count] = measure(op.selections, 0);
            const QString name = op.name.isEmpty() ? QStringLiteral("The operation")
                                                   : QStringLiteral("Operation \"%1\"").arg(op.name);
            if (m_limits.maxDepth > 0 && depth > m_limits.maxDepth)
                report(QStringLiteral("%1 nests fields %2 levels deep; the limit is %3.")
                           .arg(name)
                           .arg(depth)
                           .arg(m_limits.maxDepth),
                       { op.loc });
            if (m_limits.maxComplexity > 0 && count > m_limits.maxComplexity)
                report(QStringLiteral("%1 selects %2 fields; the limit is %3.")
                           .arg(name)
                           .arg(count)
                           .arg(m_limits.maxComplexity),
                       { op.loc });
        }
    }

    const SchemaData &m_schema;
    const DocumentNode &m_doc;
    const Limits &m_limits;
    QList<GraphQLError> m_errors;
    QHash<QString, const FragmentDefinition *> m_fragments;
    mutable std::map<const void *, DefinitionInfo> m_info;
    DefinitionInfo *m_current = nullptr;
    std::map<const std::vector<Selection> *, FieldsAndFragments> m_fieldCache;
    std::map<std::pair<QString, QString>, bool> m_comparedPairs;
    qint64 m_comparisons = 0;
    bool m_overlapAborted = false;
};

} // namespace

QList<GraphQLError> validate(const Schema &schema, const Document &document, const Limits &limits)
{
    if (document.isNull())
        return { document.error() };
    if (schema.isNull())
        return { GraphQLError { QStringLiteral("No schema."), {}, {}, {} } };
    Validator validator(*schema.data(), *document.node(), limits);
    return validator.run();
}

} // namespace lifdag::graphql
