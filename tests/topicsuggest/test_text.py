from topicsuggest.text import model_text, normalise, strip_diacritics


class NormaliseTests:
    def test_nfc_lowercase_and_stripped_copy(self):
        decomposed = "Đe\u0300n đươ\u0300ng  HỎNG"  # NFD input, as some phones send it
        assert normalise(decomposed) == "đèn đường hỏng"
        assert strip_diacritics(decomposed) == "den duong hong"
        assert model_text(decomposed) == "đèn đường hỏng | den duong hong"

    def test_text_without_diacritics_is_not_doubled(self):
        assert model_text("Den duong hong") == "den duong hong"
