#include <lifdag/transform/mappingsource.h>

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonParseError>

using namespace Qt::StringLiterals;

namespace lifdag::transform {

namespace {
// MDR ids are integers in exports and text in URLs; both name the same model.
QString idText(const QJsonValue &v)
{
    if (v.isDouble())
        return QString::number(qint64(v.toDouble()));
    return v.toString();
}

Result<QJsonObject> readObject(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return Error { u"transform.source"_s, u"%1: cannot read: %2"_s.arg(path, file.errorString()) };
    QJsonParseError parseError;
    const QJsonDocument doc = QJsonDocument::fromJson(file.readAll(), &parseError);
    if (parseError.error != QJsonParseError::NoError)
        return Error { u"transform.source"_s,
                       u"%1: invalid JSON at byte %2: %3"_s.arg(path, QString::number(parseError.offset),
                                                                 parseError.errorString()) };
    if (!doc.isObject())
        return Error { u"transform.source"_s, u"%1: expected a JSON object at the top level"_s.arg(path) };
    return doc.object();
}
} // namespace

DirectoryMappingSource::DirectoryMappingSource(QString directory)
    : m_directory(std::move(directory))
{ }

QString DirectoryMappingSource::describe() const
{
    return u"directory "_s + m_directory;
}

Result<TranslationSpec> DirectoryMappingSource::load(const QString &sourceId, const QString &targetId)
{
    const QDir dir(m_directory);
    if (!dir.exists())
        return Error { u"transform.source"_s, u"mapping directory %1 does not exist"_s.arg(m_directory) };

    TranslationSpec spec { sourceId, targetId, {}, {}, {} };
    bool groupFound = false;
    const QStringList files = dir.entryList({ u"*.json"_s }, QDir::Files, QDir::Name);
    for (const QString &name : files) {
        const QString path = dir.filePath(name);
        auto group = readObject(path);
        if (!group)
            return group.error();
        if (!group->contains(u"Transformations"_s))
            continue; // not a transformation group export
        if (idText(group->value(u"SourceDataModelId"_s)) != sourceId
            || idText(group->value(u"TargetDataModelId"_s)) != targetId)
            continue;
        const QJsonValue list = group->value(u"Transformations"_s);
        if (!list.isArray())
            return Error { u"transform.source"_s, u"%1: \"Transformations\" must be an array"_s.arg(path) };
        groupFound = true;
        const QJsonArray transformations = list.toArray();
        for (qsizetype i = 0; i < transformations.size(); ++i) {
            const QJsonObject t = transformations.at(i).toObject();
            const QString language = t.value(u"ExpressionLanguage"_s).toString();
            if (!language.isEmpty() && language.compare(u"JSONata"_s, Qt::CaseInsensitive) != 0)
                return Error { u"transform.source"_s,
                               u"%1: Transformations[%2].ExpressionLanguage is \"%3\", expected JSONata"_s.arg(
                                   path, QString::number(i), language) };
            const QString expression = t.value(u"Expression"_s).toString();
            if (!expression.isEmpty())
                spec.mappings.append(expression);
        }
    }
    if (!groupFound)
        return Error { u"transform.not_found"_s,
                       u"no transformation group from data model %1 to %2 in %3"_s.arg(sourceId, targetId,
                                                                                       m_directory) };
    for (const auto &[id, schema] : { std::pair { sourceId, &spec.sourceSchema },
                                      std::pair { targetId, &spec.targetSchema } }) {
        const QString path = dir.filePath(u"schemas/"_s + id + u".json"_s);
        if (!QFileInfo::exists(path))
            return Error { u"transform.not_found"_s,
                           u"no schema for data model %1: expected %2"_s.arg(id, path) };
        auto object = readObject(path);
        if (!object)
            return object.error();
        *schema = std::move(object.value());
    }
    return spec;
}

} // namespace lifdag::transform
