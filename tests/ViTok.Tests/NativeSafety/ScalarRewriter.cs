using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;

namespace ViTok.Tests.NativeSafety;

/// <summary>One-off mechanical rewrite of the risky forms the rule reports into the ViTok.Scalars /
/// ViTok.TensorMath forms that run the same native op (used once to convert src/ViTok; kept as a tool:
/// <c>dotnet ViTok.Tests.dll rewrite-scalars FILE...</c>). Forms it does not know are left for a person.</summary>
public static class ScalarRewriter
{
    public static int Run(string root, IEnumerable<string> files)
    {
        var all = Directory.GetFiles(Path.Combine(root, "src", "ViTok"), "*.cs", SearchOption.AllDirectories)
            .Where(p => !p.Contains("/obj/") && !p.Contains("/bin/")).ToList();
        var targets = files.Select(Path.GetFullPath).ToHashSet();
        var (compilation, trees) = ScalarLifetimeRule.Compile(all.Select(p => (p, File.ReadAllText(p))));
        var map = ScalarTemporaryMap.Instance;
        var scalar = compilation.GetTypeByMetadataName("TorchSharp.Scalar")!;
        int changed = 0;
        foreach (var tree in trees.Where(t => targets.Contains(t.FilePath)))
        {
            var model = compilation.GetSemanticModel(tree);
            var actions = new Dictionary<SyntaxNode, IOperation>();
            foreach (var node in tree.GetRoot().DescendantNodes())
            {
                var r = model.GetOperation(node);
                if (r == null) continue;
                foreach (var op in r.DescendantsAndSelf())
                    if (ScalarLifetimeRule.Classify(op, scalar, scalar.ContainingAssembly, map) != null)
                        actions.TryAdd(op.Syntax, op);
            }
            if (actions.Count == 0) continue;
            var newRoot = new Rewriter(actions).Visit(tree.GetRoot())!;
            File.WriteAllText(tree.FilePath, newRoot.ToFullString());
            changed++;
            Console.WriteLine($"{tree.FilePath}: {actions.Count}");
        }
        return changed;
    }

    private sealed class Rewriter(Dictionary<SyntaxNode, IOperation> actions) : CSharpSyntaxRewriter
    {
        public override SyntaxNode? Visit(SyntaxNode? node)
        {
            var visited = base.Visit(node);
            if (node == null || visited == null || !actions.TryGetValue(node, out var op)) return visited;
            string? text = Transform(op, visited);
            if (text == null) return visited;
            var expr = SyntaxFactory.ParseExpression(text);
            return expr.WithLeadingTrivia(visited.GetLeadingTrivia()).WithTrailingTrivia(visited.GetTrailingTrivia());
        }

        private static string P(ExpressionSyntax e)
        {
            var t = e.WithoutTrivia();
            return t is IdentifierNameSyntax or InvocationExpressionSyntax or MemberAccessExpressionSyntax or ElementAccessExpressionSyntax
                or ParenthesizedExpressionSyntax or PostfixUnaryExpressionSyntax { RawKind: (int)SyntaxKind.SuppressNullableWarningExpression }
                ? t.ToString() : $"({t})";
        }

        private static string? Transform(IOperation op, SyntaxNode visited)
        {
            switch (op)
            {
                case IConversionOperation:
                    if (visited is CastExpressionSyntax cast) return $"Scalars.Of({cast.Expression.WithoutTrivia()})";
                    return $"Scalars.Of({visited.WithoutTrivia()})";
                case IBinaryOperation b when visited is BinaryExpressionSyntax bs:
                {
                    bool leftTensor = b.LeftOperand.Type?.Name == "Tensor", rightTensor = b.RightOperand.Type?.Name == "Tensor";
                    string l = P(bs.Left), r = P(bs.Right);
                    string lr = bs.Left.WithoutTrivia().ToString(), rr = bs.Right.WithoutTrivia().ToString();
                    return (bs.OperatorToken.Text, leftTensor, rightTensor) switch
                    {
                        ("+", true, true) => $"{l}.Plus({rr})",
                        ("+", true, false) => $"{l}.Plus({rr})",
                        ("+", false, true) => $"{r}.Plus({lr})",
                        ("-", true, false) => $"{l}.Minus({rr})",
                        ("-", false, true) => $"{r}.SubtractedFrom({lr})",
                        ("*", true, false) => $"{l}.Times({rr})",
                        ("*", false, true) => $"{r}.Times({lr})",
                        ("/", true, false) => $"{l}.Over({rr})",
                        ("/", false, true) => $"{r}.DividedInto({lr})",
                        _ => null,
                    };
                }
                case IInvocationOperation inv when visited is InvocationExpressionSyntax call:
                {
                    string name = inv.TargetMethod.Name;
                    var args = call.ArgumentList.Arguments.Select(a => a.WithoutTrivia().ToString()).ToList();
                    string recv = call.Expression is MemberAccessExpressionSyntax ma ? P(ma.Expression) : "";
                    switch (name)
                    {
                        case "square" when args.Count == 0: return $"{recv}.pow(Scalars.Of(2))";
                        case "add" or "add_" when args.Count == 1: return $"{recv}.{name}({args[0]}, Scalars.One)";
                        case "arange" when inv.TargetMethod.Parameters[0].Name == "stop":
                            return $"torch.arange(Scalars.Of(0), {string.Join(", ", args.Take(1).Concat(["Scalars.One"]).Concat(args.Skip(1)))})";
                        case "leaky_relu" when args.Count == 2 && recv is "F":
                            return $"{P((ExpressionSyntax)call.ArgumentList.Arguments[0].Expression)}.leaky_relu(Scalars.Of({args[1]}))";
                    }
                    return null;
                }
            }
            return null;
        }
    }
}
