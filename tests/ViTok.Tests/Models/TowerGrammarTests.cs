using ViTok.Models;
using Kind = ViTok.Models.TowerGrammar.TokenKind;

namespace ViTok.Tests.Models;

public class TowerGrammarTests
{
    [Fact]
    public void Tokenize_CutsModifiersLettersAndFractionsInReadingOrder()
    {
        var tokens = TowerGrammar.Tokenize("d4Lm2.5w", 0, "wdhm", decimals: "m", letters: true).ToList();

        Assert.Equal(
            [new(Kind.Modifier, 'd', "4"), new(Kind.Letter, 'L', ""), new(Kind.Modifier, 'm', "2.5"), new TowerGrammar.Token(Kind.Modifier, 'w', "")],
            tokens);
    }

    [Theory]
    [InlineData("Bm.", 1, "wdhm", "m", false, Kind.MissingFraction)]   // a '.' with no digits after it
    [InlineData("Bm2", 1, "wdh", "", false, Kind.Unexpected)]          // m not taken by this family
    [InlineData("Bw4L", 3, "wdh", "", false, Kind.Unexpected)]         // letters only where allowed
    [InlineData("Bw4L", 3, "wdh", "", true, Kind.Letter)]
    public void Tokenize_NamesWhatItCannotTake(string spec, int start, string modifiers, string decimals, bool letters, Kind expected)
    {
        var token = TowerGrammar.Tokenize(spec, start, modifiers, decimals, letters).First();

        Assert.Equal(expected, token.Kind);
    }

    [Theory]
    [InlineData("128", 128)]
    [InlineData("0", 0)]
    [InlineData("99999999999", -1)]
    public void Count_SaysZeroAndTooLargeApart(string digits, int expected)
    {
        Assert.Equal(expected, TowerGrammar.Count(digits));
    }

    [Fact]
    public void Format_WritesOnlyTheModifiersThatAreSet_InTheOrderWdhm()
    {
        Assert.Equal("Bw128h4m2.5", TowerGrammar.Format("B", 128, null, 4, 2.5));
        Assert.Equal("XLd2", TowerGrammar.Format("XL", TowerGrammar.IfChanged(1152, 1152), TowerGrammar.IfChanged(2, 28)));
    }
}
