module github.com/almanac-project/almanac

go 1.26
