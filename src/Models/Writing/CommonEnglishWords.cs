namespace Ember.Models.Writing;

/// <summary>
/// The common English words from which <see cref="LlamaVocabulary"/> builds its word tokens,
/// most useful first: words are taken in this order until the vocabulary is full.
/// </summary>
internal static class CommonEnglishWords
{
    /// <summary>Gets the words, in the order they are offered to the vocabulary.</summary>
    public static IReadOnlyList<string> All { get; } =
    [
        "the", "a", "I", "is", "it", "you", "and", "to", "of", "in",
        "hello", "Hello", "The", "It", "This", "We", "You", "What", "How", "cat",
        "dog", "bird", "fish", "sun", "moon", "star", "tea", "love", "happy", "yes",
        "thank", "thanks", "please", "sorry", "friend", "word", "story", "model", "text", "token",
        "ember", "spark", "glow", "that", "he", "was", "for", "on", "are", "with",
        "as", "his", "they", "be", "at", "one", "have", "this", "from", "or",
        "had", "by", "not", "but", "what", "all", "were", "we", "when", "your",
        "can", "said", "there", "use", "an", "each", "which", "she", "do", "how",
        "their", "if", "will", "up", "other", "about", "out", "many", "then", "them",
        "these", "so", "some", "her", "would", "make", "like", "him", "into", "time",
        "has", "look", "two", "more", "write", "go", "see", "number", "no", "way",
        "could", "people", "my", "than", "first", "water", "been", "call", "who", "its",
        "now", "find", "long", "down", "day", "did", "get", "come", "made", "may",
        "part", "over", "new", "sound", "take", "only", "little", "work", "know", "place",
        "year", "live", "me", "back", "give", "most", "very", "after", "thing", "our",
        "just", "name", "good", "sentence", "man", "think", "say", "great", "where", "help",
        "through", "much", "before", "line", "right", "too", "mean", "old", "any", "same",
        "tell", "boy", "follow", "came", "want", "show", "also", "around", "form", "three",
        "small", "set", "put", "end", "does", "another", "well", "large", "must", "big",
        "even", "such", "because", "turn", "here", "why", "ask", "went", "men", "read",
        "need", "land", "different", "home", "us", "move", "try", "kind", "hand", "picture",
        "again", "change", "off", "play", "spell", "air", "away", "animal", "house", "point",
        "page", "letter", "mother", "answer", "found", "study", "still", "learn", "should", "world",
        "high", "every", "near", "add", "food", "between", "own", "below", "country", "plant",
        "last", "school", "father", "keep", "tree", "never", "start", "city", "earth", "eye",
        "light", "thought", "head", "under", "saw", "left", "few", "while", "along", "might",
        "close", "something", "seem", "next", "hard", "open", "example", "begin", "life", "always",
        "those", "both", "paper", "together", "got", "group", "often", "run", "important", "until",
        "children", "side", "feet", "car", "mile", "night", "walk", "white", "sea", "began",
        "grow", "took", "river", "four", "carry", "state", "once", "book", "hear", "stop",
        "without", "second", "later", "miss", "idea", "enough", "eat", "face", "watch", "far",
        "really", "almost", "let", "above", "girl", "sometimes", "mountain", "cut", "young", "talk",
        "soon", "list", "song", "being", "leave", "family", "it's", "He", "She", "They",
        "In", "A", "question", "today", "green", "red", "blue", "black", "warm", "cold",
        "fire", "rain", "snow", "wind", "sky", "morning", "evening", "quiet", "slow", "fast",
        "bright", "dark", "soft", "sweet", "tiny",
    ];
}
