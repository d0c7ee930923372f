global using TorchSharp;
global using Xunit;
global using static TorchSharp.torch;
global using F = TorchSharp.torch.nn.functional;
