"""Small hand-written word lists the generator draws names, titles and genres from.

Kept short on purpose: the lake needs plausible text, not a corpus. People's
names come in regional pools so that an account in Japan is not held by a
"Megan Schulz" and the cast of a Korean series reads Korean.
"""

from __future__ import annotations


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


def _phrases(text: str) -> tuple[str, ...]:
    return tuple(phrase.strip() for phrase in text.split(";"))


FIRST_NAMES: dict[str, tuple[str, ...]] = {
    "en": _words(
        "James Olivia Liam Emma Noah Ava Ethan Mia Lucas Chloe Jack Grace Henry Ella Owen Harper Ryan Zoe Daniel Megan"
    ),
    "es": _words(
        "Mateo Sofia Santiago Valentina Diego Camila Javier Lucia Alejandro Isabella Carlos Daniela Miguel "
        "Fernanda Andres Paula Jorge Ximena Luis Renata"
    ),
    "pt": _words(
        "Joao Ana Pedro Beatriz Gabriel Mariana Rafael Larissa Thiago Juliana Bruno Camila Felipe Leticia "
        "Gustavo Bianca Rodrigo Fernanda Vinicius Carla"
    ),
    "de": _words(
        "Lukas Anna Felix Lea Jonas Marie Paul Hannah Leon Lena Julian Laura Tobias Sarah Moritz Katharina "
        "Niklas Johanna Florian Clara"
    ),
    "fr": _words(
        "Louis Camille Hugo Manon Arthur Chloe Jules Ines Theo Lea Nathan Juliette Antoine Margaux Maxime "
        "Pauline Baptiste Elise Clement Amelie"
    ),
    "in": _words(
        "Aarav Ananya Vivaan Diya Arjun Isha Rohan Priya Kabir Kavya Aditya Meera Vikram Neha Rahul Pooja "
        "Siddharth Aisha Karan Riya"
    ),
    "jp": _words(
        "Haruto Yui Sota Hina Ren Aoi Yuto Sakura Kaito Mei Riku Yuna Takumi Rin Daiki Miyu Kenta Akari Shota Nanami"
    ),
    "kr": _words(
        "Minjun Seoyeon Jiho Jiwoo Doyun Hayoon Seojun Suah Hajun Jimin Yejun Chaewon Junseo Dahyun Eunwoo "
        "Yuna Taeyang Soyeon Hyunwoo Jisoo"
    ),
}

LAST_NAMES: dict[str, tuple[str, ...]] = {
    "en": _words(
        "Smith Johnson Brown Taylor Wilson Davies Evans Thomas Walker Wright Robinson Thompson White Hughes "
        "Edwards Green Hall Wood Harris Clarke"
    ),
    "es": _words(
        "Garcia Martinez Lopez Hernandez Gonzalez Perez Sanchez Ramirez Torres Flores Rivera Gomez Diaz "
        "Morales Reyes Cruz Ortiz Castillo Jimenez Ruiz"
    ),
    "pt": _words(
        "Silva Santos Oliveira Souza Rodrigues Ferreira Alves Pereira Lima Gomes Costa Ribeiro Martins "
        "Carvalho Almeida Lopes Soares Fernandes Vieira Barbosa"
    ),
    "de": _words(
        "Muller Schmidt Schneider Fischer Weber Meyer Wagner Becker Schulz Hoffmann Koch Richter Klein Wolf "
        "Neumann Schwarz Braun Zimmermann Hartmann Kruger"
    ),
    "fr": _words(
        "Martin Bernard Dubois Thomas Robert Richard Petit Durand Leroy Moreau Simon Laurent Lefebvre Michel "
        "Garnier Rousseau Fontaine Chevalier Girard Mercier"
    ),
    "in": _words(
        "Sharma Verma Patel Gupta Singh Kumar Reddy Iyer Nair Mehta Joshi Rao Chopra Malhotra Bose Das Kapoor "
        "Menon Pillai Agarwal"
    ),
    "jp": _words(
        "Sato Suzuki Takahashi Tanaka Watanabe Ito Yamamoto Nakamura Kobayashi Kato Yoshida Yamada Sasaki "
        "Yamaguchi Matsumoto Inoue Kimura Hayashi Shimizu Mori"
    ),
    "kr": _words("Kim Lee Park Choi Jung Kang Cho Yoon Jang Lim Han Oh Seo Shin Kwon Hwang Ahn Song Yoo Hong"),
}

EMAIL_DOMAINS = _words("gmail.com outlook.com yahoo.com icloud.com hotmail.com proton.me aol.com")
KIDS_PROFILE_NAMES = _words("Kids Children Junior Minis Littles")

# Title words. entities.py combines them into "The Silent Harbor", "Echoes of
# Lisbon", "Nadia's Promise", "Night Shift: Redemption", ...
TITLE_ADJECTIVES = _words(
    "Silent Broken Hidden Last Golden Dark Wild Lost Crimson Frozen Burning Secret Endless Perfect Little "
    "Midnight Savage Quiet Fallen Electric Bitter Lucky Hollow Restless Velvet Distant Iron Paper Glass "
    "Sweet Wicked Brave Final Forgotten Northern Stolen Haunted Second Blue Scarlet"
)
TITLE_NOUNS = _words(
    "Harbor Kingdom Promise Shadow River Garden Empire Witness Signal Summer Border Island Heist Orchard "
    "Verdict Frontier Station Mirror Storm Circle Hunter Letter Season Crown Game Tide Ghost Road Night "
    "Family Legacy Engine Dream Alibi Kitchen Academy Horizon Lighthouse Inheritance Rebellion"
)
TITLE_PLACES = _phrases(
    "Lisbon; Tokyo; Seoul; Mumbai; Berlin; Havana; Lagos; Oslo; Marseille; Bogota; Brooklyn; Manchester; "
    "Sao Paulo; Kyoto; Cairo; Palermo; Montreal; Sydney; Nairobi; Madrid"
)
TITLE_SUBTITLES = _phrases(
    "Redemption; The Reckoning; Origins; The Return; Homecoming; Aftermath; The Final Chapter; Part Two; "
    "Rising; The Awakening"
)
NUMBER_WORDS = _words("Two Three Seven Nine Twelve Hundred Thousand")

# The public catalog's `listed_in` categories.
MOVIE_CATEGORIES = _phrases(
    "Dramas; Comedies; International Movies; Documentaries; Action & Adventure; Independent Movies; "
    "Thrillers; Romantic Movies; Children & Family Movies; Horror Movies; Stand-Up Comedy; Music & Musicals; "
    "Sci-Fi & Fantasy; Sports Movies; Anime Features; Classic Movies; Cult Movies"
)
TV_CATEGORIES = _phrases(
    "International TV Shows; TV Dramas; TV Comedies; Crime TV Shows; Kids' TV; Docuseries; Romantic TV Shows; "
    "Reality TV; British TV Shows; Anime Series; Spanish-Language TV Shows; TV Action & Adventure; "
    "Korean TV Shows; TV Mysteries; TV Sci-Fi & Fantasy; TV Horror; Teen TV Shows"
)
ORIGINAL_GENRES = _words("Drama Thriller Comedy Sci-Fi Documentary Romance Crime Animation Horror Fantasy Action")

MOVIE_RATINGS = _words("TV-MA TV-14 R PG-13 TV-PG PG TV-Y7 TV-G G NR NC-17")
MOVIE_RATING_WEIGHTS = (0.33, 0.22, 0.13, 0.09, 0.09, 0.05, 0.03, 0.03, 0.01, 0.01, 0.01)
TV_RATINGS = _words("TV-MA TV-14 TV-PG TV-Y7 TV-Y TV-G")
TV_RATING_WEIGHTS = (0.42, 0.27, 0.12, 0.08, 0.07, 0.04)

# Synopsis parts: "<subject> <turn> <goal>."
SYNOPSIS_SUBJECTS = _phrases(
    "A retired detective; Two estranged sisters; A young chef; An ambitious lawyer; A small-town teacher; "
    "A grieving widower; A gifted hacker; Three childhood friends; A disgraced surgeon; A rookie cop; "
    "An aging rock star; A stubborn farmer; A teenage inventor; A war photographer; A con artist"
)
SYNOPSIS_TURNS = _phrases(
    "inherits a crumbling hotel; uncovers a decades-old secret; is framed for a crime; "
    "returns home after twenty years; wins a mysterious contest; witnesses a murder on a night train; "
    "takes a job at a remote lighthouse; discovers a forged painting; joins a rival crew; "
    "receives a letter from the past"
)
SYNOPSIS_GOALS = _phrases(
    "and must clear their name before the trial; and learns what family really means; "
    "while a storm closes every road out of town; as old loyalties begin to crack; "
    "and races to stop a citywide blackout; while falling for the wrong person; "
    "and confronts the choices that shaped them; before the truth costs them everything"
)
