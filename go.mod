module github.com/giropops/giropops-senhas

go 1.27

toolchain go1.27.4
