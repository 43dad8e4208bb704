"""Question/answer pairs the demo model learns, generated here so they carry no licence.

Every task yields (question, answer, split_key). split_key names what a held-out question
must not share with training: the operands of arithmetic, the number being spelled, or the
(fact, phrasing) pair. A key is held out by a fixed hash, so the split never depends on the
order questions were drawn in.
"""
import hashlib
import random

ONES = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
        "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen",
        "nineteen"]
TENS = ["", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]


def number_in_words(n):
    """0..999 the way the answers spell it: "three hundred forty-seven"."""
    if n < 20:
        return ONES[n]
    if n < 100:
        return TENS[n // 10] + ("" if n % 10 == 0 else "-" + ONES[n % 10])
    rest = n % 100
    return ONES[n // 100] + " hundred" + ("" if rest == 0 else " " + number_in_words(rest))


CAPITALS = [
    ("France", "Paris"), ("Germany", "Berlin"), ("Italy", "Rome"), ("Spain", "Madrid"),
    ("Portugal", "Lisbon"), ("Japan", "Tokyo"), ("China", "Beijing"), ("India", "New Delhi"),
    ("Egypt", "Cairo"), ("Kenya", "Nairobi"), ("Canada", "Ottawa"), ("Mexico", "Mexico City"),
    ("Brazil", "Brasilia"), ("Argentina", "Buenos Aires"), ("Peru", "Lima"), ("Chile", "Santiago"),
    ("Russia", "Moscow"), ("Poland", "Warsaw"), ("Greece", "Athens"), ("Turkey", "Ankara"),
    ("Norway", "Oslo"), ("Sweden", "Stockholm"), ("Finland", "Helsinki"), ("Denmark", "Copenhagen"),
    ("Ireland", "Dublin"), ("Austria", "Vienna"), ("Hungary", "Budapest"), ("Australia", "Canberra"),
    ("Thailand", "Bangkok"), ("Vietnam", "Hanoi"), ("Iran", "Tehran"), ("Nigeria", "Abuja"),
    ("Cuba", "Havana"), ("Colombia", "Bogota"), ("Belgium", "Brussels"), ("Netherlands", "Amsterdam"),
    ("Switzerland", "Bern"), ("Ukraine", "Kyiv"), ("Morocco", "Rabat"), ("Indonesia", "Jakarta"),
]

OPPOSITES = [
    ("hot", "cold"), ("big", "small"), ("fast", "slow"), ("up", "down"), ("happy", "sad"),
    ("light", "dark"), ("open", "closed"), ("old", "young"), ("early", "late"), ("full", "empty"),
    ("hard", "soft"), ("high", "low"), ("long", "short"), ("loud", "quiet"), ("rich", "poor"),
    ("strong", "weak"), ("thick", "thin"), ("wet", "dry"), ("wide", "narrow"), ("clean", "dirty"),
    ("day", "night"), ("left", "right"), ("near", "far"), ("inside", "outside"), 
    ("first", "last"), ("black", "white"), ("win", "lose"), ("push", "pull"), ("buy", "sell"),
]

WORDS = [
    "cat", "dog", "sun", "tree", "apple", "house", "river", "mountain", "book", "table", "chair",
    "window", "garden", "flower", "orange", "banana", "computer", "music", "ocean", "forest",
    "bird", "fish", "horse", "elephant", "tiger", "lion", "rabbit", "yellow", "green", "blue",
    "purple", "water", "bread", "cheese", "coffee", "winter", "summer", "spring", "autumn",
    "planet", "star", "moon", "cloud", "rain", "snow", "train", "car", "bicycle", "airplane",
    "school", "teacher", "student", "pencil", "paper", "kitchen", "door", "road", "city",
    "village", "island", "bridge", "castle", "dragon", "robot", "engine", "guitar", "piano",
    "violin", "doctor", "friend", "family", "mother", "father", "sister", "brother", "baby",
    "zebra", "giraffe", "monkey", "penguin", "dolphin", "whale", "butterfly", "spider", "ant",
]

GREETINGS = ["Hello!", "Hi!", "Hello", "Hi there!", "Hey!", "Good morning!", "What can you do?",
             "Who are you?", "Help", "What do you know?"]
GREETING_ANSWER = ("Hello! I am the vkmoe demo model. I can add and subtract numbers, compare them, "
                   "spell them in words, count letters and words, and name capitals and opposites.")


def held_out(key, percent):
    digest = hashlib.sha256(key.encode()).digest()
    return digest[0] * 100 // 256 < percent


def addition(rng):
    a, b = rng.randrange(100), rng.randrange(100)
    q = rng.choice(["What is {a} plus {b}?", "What is {a} + {b}?", "How much is {a} plus {b}?",
                    "Add {a} and {b}.", "Compute {a} + {b}.", "What do you get when you add {a} and {b}?",
                    "Calculate {a} plus {b}.", "{a} plus {b} equals what?"])
    return q.format(a=a, b=b), f"{a} plus {b} is {a + b}.", f"add {a} {b}"


def subtraction(rng):
    a = rng.randrange(100)
    b = rng.randrange(a + 1)
    q = rng.choice(["What is {a} minus {b}?", "What is {a} - {b}?", "How much is {a} minus {b}?",
                    "Subtract {b} from {a}.", "Compute {a} - {b}.", "Calculate {a} minus {b}.",
                    "{a} minus {b} equals what?"])
    return q.format(a=a, b=b), f"{a} minus {b} is {a - b}.", f"sub {a} {b}"


def comparison(rng):
    a, b = rng.sample(range(1000), 2)
    if rng.random() < 0.5:
        q = rng.choice(["Which is larger, {a} or {b}?", "Which number is bigger: {a} or {b}?",
                        "Is {a} or {b} greater?", "Which is greater, {a} or {b}?"])
        answer = f"{max(a, b)} is larger than {min(a, b)}."
    else:
        q = rng.choice(["Which is smaller, {a} or {b}?", "Which number is less: {a} or {b}?",
                        "Which is lower, {a} or {b}?"])
        answer = f"{min(a, b)} is smaller than {max(a, b)}."
    return q.format(a=a, b=b), answer, f"cmp {min(a, b)} {max(a, b)}"


def spelling(rng):
    n = rng.randrange(1000)
    q = rng.choice(["Write {n} in words.", "How do you spell {n} in words?", "Spell the number {n}.",
                    "What is {n} written in words?", "Say {n} in words."])
    return q.format(n=n), f"{n} in words is {number_in_words(n)}.", f"spell {n}"


LETTER_QUESTIONS = ["How many letters are in the word {w}?", "How many letters does {w} have?",
                    "Count the letters in {w}.", "How long is the word {w}?",
                    "What is the number of letters in {w}?"]


def letter_count(rng):
    w = rng.choice(WORDS)
    i = rng.randrange(len(LETTER_QUESTIONS))
    return LETTER_QUESTIONS[i].format(w=w), f"The word {w} has {len(w)} letters.", f"letters {w} {i}"


def word_count(rng):
    words = [rng.choice(WORDS) for _ in range(rng.randint(1, 9))]
    sentence = " ".join(words)
    q = rng.choice(["How many words are in: {s}", "Count the words in: {s}",
                    "How many words does this have: {s}"])
    return q.format(s=sentence), f"There are {len(words)} words.", f"words {sentence}"


CAPITAL_QUESTIONS = ["What is the capital of {c}?", "Which city is the capital of {c}?",
                     "Name the capital of {c}.", "What city is {c}'s capital?",
                     "Tell me the capital of {c}.", "Where is the capital of {c}?"]


def capital(rng):
    country, city = rng.choice(CAPITALS)
    i = rng.randrange(len(CAPITAL_QUESTIONS))
    return CAPITAL_QUESTIONS[i].format(c=country), f"The capital of {country} is {city}.", f"capital {country} {i}"


OPPOSITE_QUESTIONS = ["What is the opposite of {w}?", "What is the opposite of the word {w}?",
                      "Give the opposite of {w}.", "Name the opposite of {w}.", "What word means the opposite of {w}?"]


def opposite(rng):
    a, b = rng.choice(OPPOSITES)
    if rng.random() < 0.5:
        a, b = b, a
    i = rng.randrange(len(OPPOSITE_QUESTIONS))
    return OPPOSITE_QUESTIONS[i].format(w=a), f"The opposite of {a} is {b}.", f"opposite {a} {i}"


def greeting(rng):
    g = rng.choice(GREETINGS)
    return g, GREETING_ANSWER, f"greeting {g}"


# (generator, share of training questions, percent of split keys held out)
TASKS = {
    "addition": (addition, 0.20, 4),
    "subtraction": (subtraction, 0.14, 4),
    "comparison": (comparison, 0.10, 3),
    "spelling": (spelling, 0.14, 6),
    "letter_count": (letter_count, 0.09, 12),
    "word_count": (word_count, 0.10, 3),
    "capital": (capital, 0.10, 20),
    "opposite": (opposite, 0.09, 20),
    "greeting": (greeting, 0.04, 0),
}

SYSTEM_PROMPTS = ["You are a helpful assistant.", "You are a concise assistant.",
                  "Answer the question.", "You are the vkmoe demo model."]


def training_question(rng):
    """One training question/answer pair whose split key is not held out."""
    names = list(TASKS)
    weights = [TASKS[n][1] for n in names]
    while True:
        name = rng.choices(names, weights)[0]
        generate, _, percent = TASKS[name]
        q, a, key = generate(rng)
        if not held_out(key, percent):
            return q, a


def held_out_questions(per_task, seed):
    """per_task held-out questions of every task but greetings, as dicts."""
    rng = random.Random(seed)
    out = []
    for name, (generate, _, percent) in TASKS.items():
        if percent == 0:
            continue
        seen = set()
        while len([o for o in out if o["task"] == name]) < per_task:
            q, a, key = generate(rng)
            if held_out(key, percent) and q not in seen:
                seen.add(q)
                out.append({"task": name, "question": q, "answer": a})
    return out


def conversation(rng):
    """A training conversation: an optional system prompt, then one to three turns."""
    messages = []
    if rng.random() < 0.25:
        messages.append({"role": "system", "content": rng.choice(SYSTEM_PROMPTS)})
    for _ in range(rng.choices([1, 2, 3], [0.75, 0.2, 0.05])[0]):
        q, a = training_question(rng)
        messages.append({"role": "user", "content": q})
        messages.append({"role": "assistant", "content": a})
    return messages
