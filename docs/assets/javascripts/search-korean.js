// Korean search queries: each word loses one trailing particle or ending before Material's search worker sees
// it, so 트랜스포머가 searches 트랜스포머* and finds 트랜스포머는. The rules are the ones in kbtools/search.py
// (SUFFIXES and MIN_STEM there; tests/test_search.py checks that both lists agree).
// Material 9 has no query-transform hook, so this wraps Worker.prototype.postMessage: the search component
// sends {type: 2 (query), data: "..."} through it, after this script has loaded.
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
  const QUERY = 2; // Material's SearchMessageType.QUERY

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

  function transformQuery(query) {
    return query.split(/(\s+)/).map(stripKorean).join("");
  }

  const post = Worker.prototype.postMessage;
  Worker.prototype.postMessage = function (message, ...rest) {
    if (message && message.type === QUERY && typeof message.data === "string")
      message = { ...message, data: transformQuery(message.data) };
    return post.call(this, message, ...rest);
  };
  window.kbSearchKorean = { stripKorean, transformQuery };
})();
