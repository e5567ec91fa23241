// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package gen

// Text pools for summaries, descriptions, locations and names. They mix
// ASCII with two-, three- and four-byte UTF-8 so that folding at 75 octets
// has to respect sequence boundaries.

var summaryPool = []string{
	"Weekly team sync",
	"Wöchentliches Team-Meeting",
	"Réunion de coordination",
	"定例ミーティング",
	"Планёрка отдела продаж",
	"1:1 with manager",
	"Sprint planning",
	"Sprint-Retrospektive",
	"Revue de code 🧑‍💻",
	"プロジェクト進捗確認",
	"Budgetrunde Q-Abschluss",
	"Yoga 🧘 im Park",
	"Board meeting",
	"Café & croissants",
	"Standup (Ελληνικά ομάδα)",
	"Ежемесячный отчёт",
	"Payroll run",
	"Zahnarzt Dr. Groß",
	"勉強会: Go の並行処理",
	"Family dinner 🍝",
}

var locationPool = []string{
	"Besprechungsraum „Nord“\\, 3. OG",
	"Salle de réunion Étoile",
	"会議室 A (東京本社 12階)",
	"Room 4.12\\, Building B",
	"Переговорная «Москва»",
	"https://meet.example.com/abc-defg-hij",
	"Café Zürich\\, Bahnhofstraße 7",
	"Level 3\\, 1 Martin Place\\, Sydney NSW 2000",
	"",
}

// descriptionWords are joined with spaces; some carry TEXT escapes.
var descriptionWords = []string{
	"Agenda", "Tagesordnung", "ordre du jour", "議題", "повестка",
	"review", "Überprüfung", "révision", "確認", "обзор",
	"budget\\,", "Kosten\\;", "coûts", "予算", "бюджет",
	"the", "der", "die", "das", "le", "la", "les", "и", "と",
	"roadmap", "Fahrplan", "feuille de route", "ロードマップ", "дорожная карта",
	"customer", "Kunde", "client", "顧客", "клиент",
	"deadline", "Frist", "échéance", "締め切り", "срок",
	"🎯", "✅", "📅", "🚀", "€", "±", "—", "…", "naïve", "façade", "Straße",
	"please", "bitte", "s'il vous plaît", "お願いします", "пожалуйста",
	"prepare", "vorbereiten", "préparer", "準備", "подготовить",
	"notes", "Notizen", "remarques", "メモ", "заметки",
	"and", "und", "et", "および", "а также",
	"https://wiki.example.com/team/Meeting-Notes",
}

var firstNames = []string{
	"Jürgen", "Anaïs", "Hiroshi", "Ольга", "María José", "Søren", "Zoë", "Ahmed",
	"Chloé", "Łukasz", "Björn", "Yuki", "Dmitri", "Siobhán", "Ngọc", "Emma",
	"Liam", "Noah", "Olivia", "François", "Ágnes", "Çağla", "Mei", "Raúl",
}

var lastNames = []string{
	"Müller", "Dubois", "Tanaka", "Иванова", "García", "Kierkegaard", "Nováková",
	"Smith", "O'Brien", "Nguyễn", "Schäfer", "Lefèvre", "Yamamoto", "Kowalski",
	"Andersson", "Rossi", "Öztürk", "Fernández", "Brown", "Wang",
}

var asciiNames = []string{
	"juergen", "anais", "hiroshi", "olga", "mariajose", "soren", "zoe", "ahmed",
	"chloe", "lukasz", "bjorn", "yuki", "dmitri", "siobhan", "ngoc", "emma",
	"liam", "noah", "olivia", "francois", "agnes", "cagla", "mei", "raul",
}

var asciiLast = []string{
	"mueller", "dubois", "tanaka", "ivanova", "garcia", "kierkegaard", "novakova",
	"smith", "obrien", "nguyen", "schaefer", "lefevre", "yamamoto", "kowalski",
	"andersson", "rossi", "ozturk", "fernandez", "brown", "wang",
}

var categoryPool = []string{"Arbeit", "Work", "Travail", "仕事", "Работа", "Privat", "Team", "Customer\\, external", "Health"}
