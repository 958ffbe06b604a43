import { useTranslation } from 'react-i18next';
import { currentLanguage, LANGUAGES, type Language, setLanguage } from './setup';

const NAMES: Record<Language, string> = { en: 'English', fr: 'Français' };

export function LanguageSwitch() {
  const { t, i18n } = useTranslation();
  return (
    <select
      className="lang-switch"
      data-testid="lang-switch"
      aria-label={t('app.language')}
      value={currentLanguage(i18n.language)}
      onChange={(e) => setLanguage(e.target.value as Language)}
    >
      {LANGUAGES.map((lang) => (
        <option key={lang} value={lang} lang={lang}>
          {NAMES[lang]}
        </option>
      ))}
    </select>
  );
}
