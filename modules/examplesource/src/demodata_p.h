// lifdag's own demo data for the example source, read once from the resources compiled into the
// library (data/rest/*.json, data/graphql/*).
#pragma once

#include <lifdag/core/result.h>

#include <QByteArray>
#include <QHash>
#include <QJsonArray>
#include <QList>
#include <QString>

#include <memory>

namespace lifdag::examplesource {

struct DemoUser
{
    QByteArray json; // the record as served, members in file order
    qint64 age = 0;
    QString name;
    QString role;
};

struct DemoData
{
    QHash<QString, QByteArray> r1Users; // /r1-demo/users/{id}: id -> record JSON
    QStringList r1UserIds; // in file order
    QList<DemoUser> users; // /users/, /students/, /teachers/
    QByteArray courses; // /users/{id}/courses: JSON array
    QString userNameTemplate; // "{id}" is replaced by the requested id
    QString userSurnameTemplate;
    QString courseNameTemplate;
    QString courseCode;
    QByteArray ob3clr2; // static documents, compact JSON
    QByteArray lif1;
    QByteArray campusApi;
    QByteArray openApi; // /openapi.json: the REST API's description
    QJsonArray persons; // LIF person records of the GraphQL source
    QString personSchema; // its SDL

    // Loads (once) and returns the data; an error names the resource that is broken.
    static Result<std::shared_ptr<const DemoData>> instance();
};

} // namespace lifdag::examplesource
