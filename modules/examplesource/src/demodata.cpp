#include "demodata_p.h"
#include "jsontext_p.h"

#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QJsonParseError>

#include <mutex>

using namespace Qt::StringLiterals;

namespace lifdag::examplesource {

namespace {
const QString kRoot = u":/lifdag/examplesource/"_s;

Error dataError(const QString &name, const QString &what)
{
    return Error { u"examplesource.data"_s, u"demo data %1%2: %3"_s.arg(kRoot, name, what) };
}

Result<QByteArray> readResource(const QString &name)
{
    QFile file(kRoot + name);
    if (!file.open(QIODevice::ReadOnly))
        return dataError(name, file.errorString());
    return file.readAll();
}

// The resource as compact JSON text plus its parsed form.
Result<std::pair<QByteArray, QJsonDocument>> readJson(const QString &name)
{
    auto bytes = readResource(name);
    if (!bytes)
        return bytes.error();
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(*bytes, &error);
    if (error.error != QJsonParseError::NoError)
        return dataError(name, u"%1 at byte %2"_s.arg(error.errorString()).arg(error.offset));
    return std::pair { json::compact(*bytes), doc };
}

Result<std::shared_ptr<const DemoData>> load()
{
    auto data = std::make_shared<DemoData>();

    auto r1 = readJson(u"rest/r1-demo-users.json"_s);
    if (!r1)
        return r1.error();
    if (!r1->second.isObject())
        return dataError(u"rest/r1-demo-users.json"_s, u"expected an object of records by id"_s);
    for (const json::Part &part : json::split(r1->first)) {
        data->r1Users.insert(*part.key, part.text);
        data->r1UserIds.append(*part.key);
    }

    auto users = readJson(u"rest/users.json"_s);
    if (!users)
        return users.error();
    const QList<json::Part> userTexts = json::split(users->first);
    const QJsonArray userValues = users->second.array();
    if (!users->second.isArray() || userTexts.size() != userValues.size())
        return dataError(u"rest/users.json"_s, u"expected an array of users"_s);
    for (qsizetype i = 0; i < userValues.size(); ++i) {
        const QJsonObject user = userValues[i].toObject();
        if (!user.value(u"age"_s).isDouble() || !user.value(u"name"_s).isString()
            || !user.value(u"role"_s).isString())
            return dataError(u"rest/users.json"_s,
                             u"user %1 needs a numeric age, a name and a role"_s.arg(i));
        data->users.append({ userTexts[i].text, user.value(u"age"_s).toInteger(),
                             user.value(u"name"_s).toString(), user.value(u"role"_s).toString() });
    }

    auto courses = readJson(u"rest/courses.json"_s);
    if (!courses)
        return courses.error();
    if (!courses->second.isArray())
        return dataError(u"rest/courses.json"_s, u"expected an array of courses"_s);
    data->courses = courses->first;

    auto templates = readJson(u"rest/templates.json"_s);
    if (!templates)
        return templates.error();
    const QJsonObject user = templates->second.object().value(u"user"_s).toObject();
    const QJsonObject course = templates->second.object().value(u"course"_s).toObject();
    data->userNameTemplate = user.value(u"name"_s).toString();
    data->userSurnameTemplate = user.value(u"surname"_s).toString();
    data->courseNameTemplate = course.value(u"name"_s).toString();
    data->courseCode = course.value(u"code"_s).toString();
    if (data->userNameTemplate.isEmpty() || data->userSurnameTemplate.isEmpty()
        || data->courseNameTemplate.isEmpty() || data->courseCode.isEmpty())
        return dataError(u"rest/templates.json"_s,
                         u"expected user {name, surname} and course {name, code}"_s);

    const std::pair<QString, QByteArray *> documents[] = {
        { u"rest/ob3clr2.json"_s, &data->ob3clr2 },
        { u"rest/lif1.json"_s, &data->lif1 },
        { u"rest/campusapi.json"_s, &data->campusApi },
        { u"rest/openapi.json"_s, &data->openApi },
    };
    for (const auto &[name, target] : documents) {
        auto doc = readJson(name);
        if (!doc)
            return doc.error();
        *target = doc->first;
    }

    auto persons = readJson(u"graphql/persons.json"_s);
    if (!persons)
        return persons.error();
    if (!persons->second.isArray())
        return dataError(u"graphql/persons.json"_s, u"expected an array of LIF person records"_s);
    data->persons = persons->second.array();
    auto schema = readResource(u"graphql/person.graphql"_s);
    if (!schema)
        return schema.error();
    data->personSchema = QString::fromUtf8(*schema);
    return std::shared_ptr<const DemoData>(std::move(data));
}
} // namespace

Result<std::shared_ptr<const DemoData>> DemoData::instance()
{
    static std::once_flag once;
    static std::optional<Result<std::shared_ptr<const DemoData>>> loaded;
    std::call_once(once, [] { loaded.emplace(load()); });
    return *loaded;
}

} // namespace lifdag::examplesource
