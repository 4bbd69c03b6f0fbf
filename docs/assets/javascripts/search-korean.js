// Search queries, before Material's search worker sees them (everything else is in the index: kbtools/search.py).
// Each query word:
// - loses one trailing Korean particle or ending: 트랜스포머가 searches 트랜스포머*, which finds 트랜스포머는
//   (SUFFIXES and MIN_STEM are kbtools/search.py's; tests/test_search.py checks that both lists agree);
// - as a command-line flag loses its dashes (--staged) or is dropped (-b): lunr reads a leading - as "pages
//   without this word";
// - with a hyphen inside (GPT-3, DALL-E, pre-norm; not a date) is joined (GPT3): lunr splits it at the hyphen and
//   matches the first part exactly and the rest as a prefix, so `DALL-E` matched every word starting with e. The
//   index holds every such name of the site joined as well (kbtools/search.py, joined_names); each part is a word
//   there too, so `DALL` alone still finds it.
// Material 9 has no query hook, so this wraps Worker.prototype.postMessage: Material's search sends
// {type: 2 (query), data: "..."} through it. tests/test_search.py fails if queries stop passing through here.
(function () {
  const SUFFIXES = [
    "입니다", "합니다", "됩니다", "에서는", "에서도", "에서의", "으로는", "으로도", "으로서", "으로써", "에게서",
    "이므로", "이라고", "이라면", "이라는", "이라서", "하기", "하는", "하다", "한다", "했다", "하고", "하면", "해서",
    "하여", "되는", "된다", "되어", "이다", "이고", "이며", "이나", "이랑", "이라", "에서", "에게", "으로", "까지",
    "부터", "처럼", "보다", "마다", "과는", "와는", "과의", "와의", "에는", "에도", "만큼", "로는", "로도", "은",
    "는", "이", "가", "을", "를", "의", "에", "로", "와", "과", "도", "만",
  ];
  const MIN_STEM = 2;
  const HANGUL = /[\uac00-\ud7a3]/;
  const LONG_FLAG = /^--(?=[\p{L}\p{N}])/u; // --staged -> staged
  const SHORT_FLAG = /^-[\p{L}\p{N}]$/u; // -b, -c: dropped, one letter finds nothing useful
  const INNER_HYPHEN = /(?<=[\p{L}\p{N}])-+(?=[\p{L}\p{N}])/gu;
  const LETTER = /\p{L}/u; // 2021-08-12 stays apart: the index has no joined dates
  const QUERY = 2; // Material's SearchMessageType.QUERY
  const seen = { queries: 0, last: null };

  function stripKorean(word) {
    if (!word || !HANGUL.test(word[word.length - 1])) return word;
    for (const suffix of SUFFIXES) {
      if (word.endsWith(suffix)) {
        const stem = word.slice(0, -suffix.length);
        const min = stem && HANGUL.test(stem[stem.length - 1]) ? MIN_STEM : 1;
        return stem.length >= min ? stem : word;
      }
    }
    return word;
  }

  function transformWord(word) {
    if (SHORT_FLAG.test(word)) return "";
    word = word.replace(LONG_FLAG, "");
    return stripKorean(LETTER.test(word) ? word.replace(INNER_HYPHEN, "") : word);
  }

  function transformQuery(query) {
    return query.split(/(\s+)/).map(transformWord).join("");
  }

  const post = Worker.prototype.postMessage;
  Worker.prototype.postMessage = function (message, ...rest) {
    if (message && message.type === QUERY && typeof message.data === "string") {
      message = { ...message, data: transformQuery(message.data) };
      seen.queries += 1;
      seen.last = message.data;
    }
    return post.call(this, message, ...rest);
  };
  window.kbSearchKorean = { stripKorean, transformQuery, seen };
})();
