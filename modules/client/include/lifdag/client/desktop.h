// Desktop habits the views ask C++ for: the clipboard, persisted window state and view settings,
// and a light or dark theme that follows the system.
#pragma once

#include <QColor>
#include <QObject>
#include <QPalette>
#include <QVariant>
#include <QWindow>
#include <QtQml/qqmlregistration.h>
#include <memory>

class QSettings;

namespace lifdag::client {

class Desktop : public QObject
{
    Q_OBJECT
    QML_ELEMENT
    QML_SINGLETON
    Q_PROPERTY(bool dark READ dark NOTIFY themeChanged)
    // "system" (default), "light" or "dark"; persisted.
    Q_PROPERTY(QString themeMode READ themeMode WRITE setThemeMode NOTIFY themeChanged)
    Q_PROPERTY(QColor success READ success NOTIFY themeChanged)
    Q_PROPERTY(QColor failure READ failure NOTIFY themeChanged)
    Q_PROPERTY(QColor running READ running NOTIFY themeChanged)
    Q_PROPERTY(QColor queued READ queued NOTIFY themeChanged)
    Q_PROPERTY(QColor canceled READ canceled NOTIFY themeChanged)
    Q_PROPERTY(QColor muted READ muted NOTIFY themeChanged)
    Q_PROPERTY(QColor codeBackground READ codeBackground NOTIFY themeChanged)
    Q_PROPERTY(QColor added READ added NOTIFY themeChanged)
    Q_PROPERTY(QColor removed READ removed NOTIFY themeChanged)
    Q_PROPERTY(QString monospaceFamily READ monospaceFamily CONSTANT)

public:
    explicit Desktop(QObject *parent = nullptr);
    ~Desktop() override;

    bool dark() const { return m_dark; }
    QString themeMode() const { return m_mode; }
    void setThemeMode(const QString &mode);
    QColor success() const;
    QColor failure() const;
    QColor running() const;
    QColor queued() const;
    QColor canceled() const;
    QColor muted() const;
    QColor codeBackground() const;
    QColor added() const;
    QColor removed() const;
    QString monospaceFamily() const;

    Q_INVOKABLE QColor statusColor(const QString &status) const;
    Q_INVOKABLE void copyText(const QString &text);
    Q_INVOKABLE QString clipboardText() const;
    Q_INVOKABLE QVariant setting(const QString &key, const QVariant &fallback = {}) const;
    Q_INVOKABLE void setSetting(const QString &key, const QVariant &value);
    // Window geometry and maximized/full-screen state under "window/<name>".
    Q_INVOKABLE void restoreWindow(QWindow *window, const QString &name = QStringLiteral("main"));
    Q_INVOKABLE void saveWindow(QWindow *window, const QString &name = QStringLiteral("main"));

    // The system's preference: LIFDAG_DESKTOP_THEME, the desktop portal's color-scheme, else the
    // platform palette's lightness.
    static bool systemPrefersDark();
    static QPalette darkPalette();

    // Where settings go (tests): an INI file instead of the user's settings.
    static void setSettingsFile(const QString &path);

Q_SIGNALS:
    void themeChanged();

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    void applyTheme();

    std::unique_ptr<QSettings> m_settings;
    QString m_mode = QStringLiteral("system");
    bool m_dark = false;
    bool m_applying = false;
    QPalette m_systemPalette;
};

} // namespace lifdag::client
