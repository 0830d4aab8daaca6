#include <lifdag/adapters/lifadapters.h>
#include <lifdag/lifjob/fragments.h>

using namespace Qt::StringLiterals;
using lifdag::adapters::Fragment;

namespace lifdag::lifjob {

namespace {

constexpr qsizetype kPersonDotLength = 7; // len("person.")
const QString kPersonDotZero = u"person.0"_s;

// _find_key_case_insensitive: the exact key if present, else the first key equal ignoring case.
std::optional<QString> findKeyCaseInsensitive(const QJsonObject &object, const QString &key)
{
    if (object.contains(key))
        return key;
    const QString lower = key.toLower();
    for (auto it = object.begin(); it != object.end(); ++it) {
        if (it.key().toLower() == lower)
            return it.key();
    }
    return std::nullopt;
}

// Python's str.isdigit() followed by int(): decimal digits of any script.
std::optional<qsizetype> digitsValue(const QString &key)
{
    if (key.isEmpty())
        return std::nullopt;
    qsizetype value = 0;
    for (const QChar c : key) {
        const int d = c.digitValue();
        if (!c.isDigit() || d < 0)
            return std::nullopt;
        if (value > (std::numeric_limits<qsizetype>::max() - d) / 10)
            return std::numeric_limits<qsizetype>::max();
        value = value * 10 + d;
    }
    return value;
}

Error typeError(const QString &message)
{
    return Error { u"lifjob.fragment"_s, message };
}

} // namespace

Result<QList<Fragment>> adjustFragmentsForInitialOrchestratorSimplification(const QList<Fragment> &fragments,
                                                                            const QStringList &desiredPaths,
                                                                            QStringList *notes)
{
    auto note = [notes](const QString &text) {
        if (notes)
            notes->append(text);
    };
    if (fragments.isEmpty()) {
        note(u"No LIF fragments provided for adjustment."_s);
        return QList<Fragment>();
    }
    QList<Fragment> results;
    for (const Fragment &fragment : fragments) {
        if (fragment.fragmentPath != adapters::kPersonAllPath) {
            results.append(fragment);
            continue;
        }
        for (const QString &path : desiredPaths) {
            // PERSON_DOT_ZERO + path[PERSON_DOT_LENGTH - 1:]
            const QString adjusted = kPersonDotZero + path.mid(std::min(path.size(), kPersonDotLength - 1));
            const QStringList keys = adjusted.split(u'.');
            const QString &lastKey = keys.last();
            if (fragment.fragment.isEmpty())
                return typeError(u"fragment person.all is empty (list index out of range)"_s);
            QJsonValue current = fragment.fragment.first();
            for (const QString &key : keys) {
                std::optional<QString> actual;
                if (current.isObject())
                    actual = findKeyCaseInsensitive(current.toObject(), key);
                else
                    actual = key;
                const bool haveKey = actual && !actual->isEmpty();
                if (key == lastKey) {
                    if (!haveKey)
                        continue;
                    // `actual_key in current_field`, then `current_field[actual_key]`
                    const auto contains = adapters::pythonContains(current, *actual);
                    if (!contains)
                        return typeError(u"cannot look for '"_s + *actual + u"' in a value that is "_s
                                         + u"neither an object, a list nor text (path "_s + path + u')');
                    if (!*contains)
                        continue;
                    if (!current.isObject())
                        return typeError(u"cannot index "_s + (current.isArray() ? u"a list"_s : u"text"_s)
                                         + u" with '"_s + *actual + u"' (path "_s + path + u')');
                    current = current.toObject().value(*actual);
                    Fragment found { path, current.isArray() ? current.toArray() : QJsonArray { current } };
                    if (const Status valid = found.validate(); !valid)
                        return typeError(valid.error().message);
                    results.append(found);
                } else if (current.isObject() && haveKey && current.toObject().contains(*actual)) {
                    current = current.toObject().value(*actual);
                } else if (current.isArray() && current.toArray().isEmpty()) {
                    note(u"list in lif record is empty for key: "_s + key);
                    break;
                } else if (const auto index = current.isArray() ? digitsValue(key) : std::nullopt; index) {
                    const QJsonArray list = current.toArray();
                    if (*index >= list.size())
                        return typeError(u"list index "_s + key + u" out of range (the list has "_s
                                         + QString::number(list.size()) + u" item(s); path "_s + path + u')');
                    current = list.at(*index);
                } else {
                    note(u"key in lif record has unexpected type: "_s + key);
                }
            }
        }
    }
    return results;
}

Result<QList<Fragment>> requestedFragments(const QJsonValue &translated, const QStringList &desiredPaths,
                                           QStringList *notes)
{
    const Fragment personAll { QString(adapters::kPersonAllPath), QJsonArray { translated } };
    if (const Status valid = personAll.validate(); !valid)
        return Error { u"lifjob.translation"_s,
                       u"the translated record is not a JSON object, so it cannot be fragment person.all"_s };
    auto found = adjustFragmentsForInitialOrchestratorSimplification({ personAll }, desiredPaths, notes);
    if (!found)
        return found.error();
    QList<Fragment> out;
    for (const QString &path : desiredPaths) {
        Fragment fragment { path, {} };
        if (const Status valid = fragment.validate(); !valid)
            return Error { u"lifjob.fragment"_s, valid.error().message };
        for (const Fragment &existing : *found) {
            if (existing.fragmentPath == path) {
                fragment = existing;
                break;
            }
        }
        out.append(fragment);
    }
    return out;
}

} // namespace lifdag::lifjob
