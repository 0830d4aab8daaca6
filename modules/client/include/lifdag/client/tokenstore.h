// Where the desktop keeps API tokens: a JSON file only its user can read (0600, in a 0700
// directory), never the settings file. The settings hold names and addresses only.
#pragma once

#include <QString>

namespace lifdag::client {

class TokenStore
{
public:
    // `path`: the file (default: <config dir>/lifdag/desktop-tokens.json).
    explicit TokenStore(QString path = {});

    QString path() const { return m_path; }
    QString description() const; // for the connection dialog

    QString token(const QString &serverId) const;
    // Stores (or, when `token` is empty, removes) a server's token. False with `error` set when
    // the file cannot be written with owner-only permissions.
    bool setToken(const QString &serverId, const QString &token, QString *error = nullptr);

    static QString defaultPath();

private:
    QString m_path;
};

} // namespace lifdag::client
