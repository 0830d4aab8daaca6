// Where the desktop keeps API tokens: the platform keychain (Secret Service / KWallet through
// QtKeychain) when the build has it and the session offers one, else a JSON file only its user can
// read (0600, in a 0700 directory) - never the settings file, which holds names and addresses only.
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
    // True when tokens go to the platform keychain (decided once per process).
    static bool keychainAvailable();

    QString token(const QString &serverId) const;
    // Stores (or, when `token` is empty, removes) a server's token. False with `error` set when
    // the file cannot be written with owner-only permissions.
    bool setToken(const QString &serverId, const QString &token, QString *error = nullptr);

    static QString defaultPath();

private:
    bool setFileToken(const QString &serverId, const QString &token, QString *error);

    QString m_path;
};

} // namespace lifdag::client
