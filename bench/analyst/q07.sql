-- Text clean-up: product families from the part type and name words.
SELECT split_part(p_type, ' ', 1) AS family,
       upper(substr(p_brand, 7)) AS brand_no,
       count(*) AS parts,
       sum(CASE WHEN p_name LIKE '%green%' THEN 1 ELSE 0 END) AS green,
       avg(length(p_comment)) AS comment_len
FROM part
WHERE p_container NOT LIKE 'WRAP%'
GROUP BY 1, 2
ORDER BY 1, 2;
